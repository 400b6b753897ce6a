import { createHash } from 'node:crypto';

/** SHA-256 over the parts in order (Fabric hashes concatenations: block data, nonce ‖ creator, …). */
export function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * Counting city-node attestations on chain (docs/interchain-delivery.md, "Who is trusted for
 * what"): each signature (r ‖ s ‖ v, 65 bytes, v 27/28) is recovered over the digest rebuilt
 * here from the kind and the commitment this action computed itself, and counts only when it
 * recovers to a pinned key not counted before. `k1_recover` answers no key for a signature that
 * recovers to none, so a malformed one counts for nothing instead of aborting the check.
 */
import { Checksum256, Signature, check, k1Recover, sha256 } from 'proton-tsc';
import { utf8 } from './bsn-kv.hashes';
import { DeliveryConfig } from './bsn-kv.delivery.tables';

export const PACKET: u8 = 1;
export const ACK: u8 = 2;
export const TIMEOUT: u8 = 3;
const KEY_BYTES = 65;
const SIG_BYTES = 65;
/** Bounds the recoveries a relayer can make one action do. */
const MAX_SIGNATURES = 32;

function digestOf(kind: u8, commitment: Checksum256): Checksum256 {
  const bytes = utf8('bsn:interchain-attestation:v1\n');
  bytes.push(kind);
  for (let i = 0; i < 32; i++) bytes.push(commitment.data[i]);
  return sha256(bytes);
}

function pinnedIndex(config: DeliveryConfig, key: u8[]): i32 {
  const m = config.keys.length / KEY_BYTES;
  for (let k = 0; k < m; k++) {
    let same = true;
    for (let i = 0; i < KEY_BYTES && same; i++) same = config.keys[k * KEY_BYTES + i] == key[i];
    if (same) return k;
  }
  return -1;
}

/** Refuses the action unless `threshold` distinct pinned attesters signed (kind, commitment). */
export function requireAttested(config: DeliveryConfig, kind: u8, commitment: Checksum256, sigs: u8[], what: string): void {
  check(sigs.length % SIG_BYTES == 0, 'bsn:invalid: /attestations are not 65-byte signatures');
  const n = sigs.length / SIG_BYTES;
  check(n <= MAX_SIGNATURES, 'bsn:invalid: /attestations hold more than 32 signatures');
  const digest = digestOf(kind, commitment);
  const counted = new Array<bool>(config.keys.length / KEY_BYTES);
  let signers: u32 = 0;
  for (let j = 0; j < n; j++) {
    const at = j * SIG_BYTES;
    const v = sigs[at + 64];
    if (v != 27 && v != 28) continue;
    // k1_recover takes v ‖ r ‖ s; as-chain's Signature carries a leading key-type byte.
    const raw: u8[] = [0, v];
    for (let i = 0; i < 64; i++) raw.push(sigs[at + i]);
    const sig = new Signature();
    sig.data = raw;
    const recovered = k1Recover(sig, digest);
    if (!recovered) continue;
    const k = pinnedIndex(config, recovered.data!);
    if (k < 0 || counted[k]) continue;
    counted[k] = true;
    signers++;
  }
  check(
    signers >= config.threshold,
    'bsn:unauthorized: attestations below threshold: ' +
      signers.toString() +
      ' of the ' +
      config.threshold.toString() +
      ' pinned attesters needed signed this ' +
      what,
  );
}

import { getAddress, isAddress } from 'ethers';
import { attesterPolicyFault, type Attester, type TrustRoots } from '@bsn/contract';
import { FRAMEWORK } from '../describe.js';

/**
 * Trust roots for Ethereum evidence (`TrustRoots.roots` with framework `ethereum`), pinned by a
 * city node's configuration for one chain:
 *
 * ```json
 * { "chainId": 31337, "outbox": "0x…", "attesters": [{ "algorithm": "secp256k1", "publicKey": "04…" }], "threshold": 1 }
 * ```
 *
 * - `chainId`: EIP-155 id the packet's transaction must be signed for;
 * - `outbox`: the BsnPacketOutbox whose PacketSent logs count (any other emitter is ignored);
 * - `attesters` / `threshold`: city nodes, t of which must attest the block as final.
 */
export interface EthereumRoots {
  chainId: number;
  outbox: string;
  attesters: Attester[];
  threshold: number;
}

export type RootsCheck = { ok: true; roots: EthereumRoots } | { ok: false; reason: string };

const ZERO_ADDRESS = /^0x0{40}$/i;

/** Checks roots before any evidence is looked at: zero, default, empty and missing roots are never valid. */
export function checkRoots(trust: TrustRoots): RootsCheck {
  if (typeof trust !== 'object' || trust === null) return { ok: false, reason: 'no trust roots' };
  if (trust.framework !== FRAMEWORK) return { ok: false, reason: `trust roots are for ${String(trust.framework)}, not ${FRAMEWORK}` };
  const r = trust.roots as Partial<Record<keyof EthereumRoots, unknown>> | undefined;
  if (typeof r !== 'object' || r === null) return { ok: false, reason: 'trust roots are empty' };
  if (typeof r.chainId !== 'number' || !Number.isSafeInteger(r.chainId) || r.chainId < 1) {
    return { ok: false, reason: 'trust roots pin no chain id (chainId must be an integer ≥ 1)' };
  }
  if (typeof r.outbox !== 'string' || !isAddress(r.outbox) || ZERO_ADDRESS.test(r.outbox)) {
    return { ok: false, reason: 'trust roots pin no outbox address (outbox must be a non-zero 20-byte address)' };
  }
  const fault = attesterPolicyFault(r.attesters, r.threshold);
  if (fault) return { ok: false, reason: `trust roots' attester policy is unsound: ${fault}` };
  return {
    ok: true,
    roots: { chainId: r.chainId, outbox: getAddress(r.outbox), attesters: r.attesters as Attester[], threshold: r.threshold as number },
  };
}

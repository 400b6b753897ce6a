import { evidenceIndex, messageDigest, reject, verifyDigest } from '@bsn/contract';
import type { BlockHeaderFields } from '../protocol/block-header.js';
import type { CryptoSuite } from '../protocol/crypto-suite.js';
import type { FiscoRoots } from './fisco-roots.js';

/**
 * The finality of a FISCO BCOS block: signatures over its hash by at least a quorum of the
 * group's sealers. PBFT with n sealers of weight 1 tolerates f = ⌊(n − 1)/3⌋ faulty ones and
 * commits on n − f signatures, 2f + 1 for n = 3f + 1 (bcos-pbft minRequiredQuorum), and a node
 * refuses a synced block if any listed signature fails (BlockValidator::checkSignatureList).
 * One class, so the rule has one home — and the suite's seeded faults can take it away.
 */
export class SealerSignatures {
  static quorum(sealers: number): number {
    if (!Number.isInteger(sealers) || sealers < 1) return Number.POSITIVE_INFINITY;
    return sealers - Math.floor((sealers - 1) / 3);
  }

  /** Rejects unless the header lists the pinned sealers and a quorum of them, each once, validly signed `hash`. */
  static check(suite: CryptoSuite, roots: FiscoRoots, header: BlockHeaderFields, hash: Uint8Array, signatures: unknown): void {
    const listed = header.sealerList.map((s) => Buffer.from(s).toString('hex'));
    if (listed.length !== roots.sealers.length || listed.some((s, i) => s !== roots.sealers[i])) {
      reject("the block's sealer list is not the pinned sealers");
    }
    if (!Array.isArray(signatures)) reject('the block carries no signature list');
    const signed = new Set<number>();
    for (const s of signatures as Array<{ sealerIndex: unknown; signature: unknown }>) {
      const index = evidenceIndex(s?.sealerIndex, 'sealerIndex');
      if (index >= roots.sealers.length) reject(`signature by sealer ${index}, of ${roots.sealers.length}`);
      if (signed.has(index)) reject(`sealer ${index} is counted twice`);
      if (typeof s.signature !== 'string' || !/^(0x)?([0-9a-fA-F]{2})+$/.test(s.signature))
        reject(`the signature of sealer ${index} is not hex`);
      const signature = Uint8Array.from(Buffer.from(s.signature.replace(/^0x/, ''), 'hex'));
      if (!signedBy(suite, Uint8Array.from(Buffer.from('04' + roots.sealers[index], 'hex')), hash, signature)) {
        reject(`the signature of sealer ${index} does not verify over the block hash`);
      }
      signed.add(index);
    }
    const required = SealerSignatures.quorum(roots.sealers.length);
    if (signed.size < required) reject(`${signed.size} of ${roots.sealers.length} sealers signed the block; 2f + 1 = ${required} must`);
  }
}

/** secp256k1 `r‖s‖v` over the hash; SM2 `r‖s` (optionally ‖pub) over SM3(Z_A ‖ hash). */
function signedBy(suite: CryptoSuite, publicKey: Uint8Array, hash: Uint8Array, signature: Uint8Array): boolean {
  if (suite.mode === 'sm') {
    if (signature.length !== 64 && signature.length !== 128) return false;
    return verifyDigest('sm2', publicKey, messageDigest('sm2', hash, publicKey), signature.subarray(0, 64));
  }
  if (signature.length !== 65) return false;
  return verifyDigest('secp256k1', publicKey, hash, signature.subarray(0, 64));
}

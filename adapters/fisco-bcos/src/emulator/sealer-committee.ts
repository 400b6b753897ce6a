import { generatePrivateKey, messageDigest, publicKeyOf, signDigest } from '@bsn/contract';
import { concat } from '../protocol/big-endian.js';
import type { SealerSignature } from '../protocol/block-header.js';
import type { CryptoSuite } from '../protocol/crypto-suite.js';

/**
 * The consensus committee: 4 sealer keys of the chain's algorithm, each sealer's node ID its
 * 64-byte public key. A committed block carries the signatures of a quorum of them over its
 * hash, as PBFT's checkpoint phase leaves them (bcos-pbft PBFTCache::setSignatureList):
 * secp256k1 `r‖s‖v` (65 bytes) or SM2 `r‖s` (64 bytes, e = SM3(Z_A ‖ hash)). With n sealers of
 * weight 1, f = ⌊(n−1)/3⌋ may fail and a quorum is n − f (3 of 4, i.e. 2f + 1).
 */
export class SealerCommittee {
  private readonly keys: Array<{ privateKey: Uint8Array; publicKey: Uint8Array }>;

  constructor(
    private readonly suite: CryptoSuite,
    size = 4,
    privateKeys?: Uint8Array[],
  ) {
    const secrets = privateKeys ?? Array.from({ length: size }, () => generatePrivateKey(suite.algorithm));
    this.keys = secrets.map((privateKey) => ({ privateKey, publicKey: publicKeyOf(suite.algorithm, privateKey) }));
  }

  get size(): number {
    return this.keys.length;
  }

  /** Node IDs (64-byte public keys X‖Y) in committee order: the block header's `sealerList`. */
  nodeIds(): Uint8Array[] {
    return this.keys.map((k) => k.publicKey.subarray(1));
  }

  quorum(): number {
    return this.size - Math.floor((this.size - 1) / 3);
  }

  /** The leader of a block (FISCO rotates it; `sealer` in the header). */
  leaderOf(blockNumber: number): number {
    return blockNumber % this.size;
  }

  /** A quorum's signatures over `blockHash`, starting from the leader. */
  sign(blockHash: Uint8Array, leader: number): SealerSignature[] {
    const out: SealerSignature[] = [];
    for (let i = 0; i < this.quorum(); i++) {
      const index = (leader + i) % this.size;
      const { privateKey, publicKey } = this.keys[index]!;
      if (this.suite.mode === 'sm') {
        out.push({ sealerIndex: index, signature: signDigest('sm2', privateKey, messageDigest('sm2', blockHash, publicKey)).compact });
      } else {
        const sig = signDigest('secp256k1', privateKey, blockHash);
        out.push({ sealerIndex: index, signature: concat([sig.compact, Uint8Array.of(sig.recovery ?? 0)]) });
      }
    }
    return out.sort((a, b) => a.sealerIndex - b.sealerIndex);
  }
}

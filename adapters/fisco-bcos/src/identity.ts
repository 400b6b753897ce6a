import type { AdapterIdentity, ChainAccount, KeyAlgorithm, Signer } from '@bsn/contract';
import { chainAccount, checkSigner } from './accounts.js';
import type { CryptoSuite } from './protocol/crypto-suite.js';

/**
 * FISCO accounts are a pure function of the key (last 20 bytes of Keccak-256 or SM3 of the
 * public key, by the chain's mode) and need no registration or funds: transactions cost no gas
 * fees on a default chain, so `provision` has nothing to do but derive.
 */
export class FiscoIdentity implements AdapterIdentity {
  constructor(private readonly suite: CryptoSuite) {}

  accountAlgorithms(): KeyAlgorithm[] {
    return [this.suite.algorithm];
  }

  async accountFor(publicKey: Uint8Array, algorithm: KeyAlgorithm): Promise<ChainAccount> {
    return chainAccount(this.suite, publicKey, algorithm);
  }

  async provision(signer: Signer): Promise<ChainAccount> {
    checkSigner(this.suite, signer);
    return chainAccount(this.suite, signer.publicKey, signer.algorithm, '/signer/publicKey');
  }
}

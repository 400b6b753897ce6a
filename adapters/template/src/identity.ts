import {
  assertPublicKey,
  checkKeyAlgorithmIn,
  toHex,
  type AdapterIdentity,
  type ChainAccount,
  type KeyAlgorithm,
  type Signer,
} from '@bsn/contract';
import { FRAMEWORK, MANIFEST } from './framework.js';
import { accountOf } from './node-protocol.js';

/**
 * Accounts are a pure function of the key (no registration on this chain): `provision` has
 * nothing to do. A framework whose accounts must be created (EOS) or enrolled (Fabric) does
 * that in `provision`, idempotently.
 */
export class TemplateIdentity implements AdapterIdentity {
  accountAlgorithms(): KeyAlgorithm[] {
    return [...MANIFEST.keyAlgorithms];
  }

  async accountFor(publicKey: Uint8Array, algorithm: KeyAlgorithm): Promise<ChainAccount> {
    checkKeyAlgorithmIn(algorithm, MANIFEST.keyAlgorithms, '/algorithm', FRAMEWORK);
    assertPublicKey(algorithm, publicKey, '/publicKey');
    const hex = toHex(publicKey);
    return { framework: FRAMEWORK, algorithm, publicKey: hex, id: accountOf(algorithm, hex) };
  }

  provision(signer: Signer): Promise<ChainAccount> {
    return this.accountFor(signer.publicKey, signer.algorithm);
  }
}

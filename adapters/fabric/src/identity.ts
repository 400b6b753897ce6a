import type { AdapterIdentity, ChainAccount, KeyAlgorithm, Signer } from '@bsn/contract';
import { accountId } from './accounts.js';
import type { CertificateAuthority } from './certificates.js';
import { FRAMEWORK } from './describe.js';
import { KEY_ALGORITHMS, checkAlgorithm, checkPublicKey } from './signer-bridge.js';

/**
 * BSN accounts on Fabric are MSP identities of the adapter's org: the secp256r1 key a BSN
 * identity derives for `fabric` (`BsnIdentity.keyFor('fabric', 'secp256r1')`) with an X.509
 * certificate the adapter issues from the org CA. The account id is `<mspId>:<key hash>`.
 */
export class FabricIdentity implements AdapterIdentity {
  constructor(private readonly d: { mspId: string; ca: CertificateAuthority }) {}

  accountAlgorithms(): KeyAlgorithm[] {
    return [...KEY_ALGORITHMS];
  }

  async accountFor(publicKey: Uint8Array, algorithm: KeyAlgorithm): Promise<ChainAccount> {
    checkAlgorithm(algorithm, '/algorithm');
    checkPublicKey(publicKey, '/publicKey');
    const certificate = await this.d.ca.certificateFor(publicKey);
    return {
      framework: FRAMEWORK,
      algorithm,
      publicKey: Buffer.from(publicKey).toString('hex'),
      id: accountId(this.d.mspId, publicKey),
      attributes: { mspId: this.d.mspId, certificate },
    };
  }

  /** Issues (once per process) the account's certificate; nothing needs to be written on chain. */
  async provision(signer: Signer): Promise<ChainAccount> {
    checkAlgorithm(signer?.algorithm, '/signer/algorithm');
    return this.accountFor(signer.publicKey, signer.algorithm);
  }
}

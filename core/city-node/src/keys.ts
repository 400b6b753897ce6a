/**
 * The node's keys. One BSN identity for the node itself, sealed in a keystore under the
 * node passphrase: its master key (secp256r1) signs responses; its derived chain keys
 * administer the apps the node creates. Hosted-key users get their own identity, sealed
 * under the same passphrase and kept in the registry; the node derives their chain keys
 * (`BsnIdentity.keyFor`) to sign their transactions.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KeyAlgorithm, Signer } from '@bsn/contract';
import {
  InvalidInputError,
  BsnIdentity,
  openIdentity,
  parseIdentityFile,
  readIdentityFile,
  sealIdentity,
  writeIdentityFile,
} from '@bsn/contract';
import { fastSigner } from '@bsn/contract';
import { ResponseSigner } from '@bsn/protocol';

/** The derivation purpose of the attester key: a name no framework has, so no chain account shares it. */
const ATTESTER_PURPOSE = 'bsn-interchain-attester';

export class NodeKeys {
  readonly responseSigner: ResponseSigner;
  /** Signs this node's requests to peer nodes (the attestation API) with its master key. */
  readonly signPeerRequest: (canonical: Uint8Array) => Uint8Array;
  /**
   * Hosted identities, opened once (scrypt) from what the registry holds, each with the sealed
   * text it was opened from: a user whose registry row changed is opened again, and nothing
   * enters here that the registry does not hold (a registration refused after its identity was
   * generated must not leave that identity signing for the user).
   */
  private readonly users = new Map<string, { sealed: string; identity: BsnIdentity }>();

  private constructor(
    readonly identity: BsnIdentity,
    private readonly passphrase: string,
    private readonly scryptN: number,
  ) {
    const master = identity.masterKey;
    this.responseSigner = new ResponseSigner(master.algorithm, master.privateKey);
    this.signPeerRequest = fastSigner(master.algorithm, master.privateKey);
    master.privateKey.fill(0);
  }

  /** Opens the node identity at `path`, creating it (mode 0600) when absent. */
  static async open(path: string, passphrase: string, options: { scryptN: number; nodeName: string }): Promise<NodeKeys> {
    if (!passphrase) throw new InvalidInputError('the node passphrase is empty', { field: '/keys' });
    let identity: BsnIdentity;
    if (existsSync(path)) {
      identity = openIdentity(await readIdentityFile(path), passphrase);
    } else {
      identity = BsnIdentity.generate();
      await mkdir(dirname(path), { recursive: true });
      await writeIdentityFile(path, sealIdentity(identity, options.nodeName, passphrase, { scryptN: options.scryptN }));
    }
    return new NodeKeys(identity, passphrase, options.scryptN);
  }

  /** The node's own chain key for a framework (app administration). */
  chainSigner(framework: string, algorithm: KeyAlgorithm): Signer {
    return this.identity.signerFor(framework, algorithm);
  }

  /**
   * The node's interchain attester key (secp256k1), derived from its identity like its chain keys,
   * so it lives in the same sealed keystore and never leaves the node's process (plugins included).
   */
  attesterKey(): { privateKey: Uint8Array; publicKey: Uint8Array } {
    const k = this.identity.keyFor(ATTESTER_PURPOSE, 'secp256k1');
    return { privateKey: k.privateKey, publicKey: k.publicKey };
  }

  /** A new hosted identity for `userCode`, sealed: what the registry stores. Not kept: see `users`. */
  sealNewUser(userCode: string): string {
    return JSON.stringify(sealIdentity(BsnIdentity.generate(), userCode, this.passphrase, { scryptN: this.scryptN }));
  }

  /** The hosted user's chain signer for a framework, from the sealed identity the registry holds. */
  userSigner(userCode: string, sealed: string, framework: string, algorithm: KeyAlgorithm): Signer {
    let entry = this.users.get(userCode);
    if (entry?.sealed !== sealed) {
      entry = { sealed, identity: openIdentity(parseIdentityFile(JSON.parse(sealed)), this.passphrase) };
      this.users.set(userCode, entry);
    }
    return entry.identity.signerFor(framework, algorithm);
  }
}

import type { KeyAlgorithm, Signer } from '../contract/keys.js';
import { InvalidInputError } from '../errors/errors.js';
import { generatePrivateKey, publicKeyOf } from '../crypto/algorithms.js';
import { keyIdOf } from '../crypto/key-id.js';
import { privateKeySigner } from '../crypto/signer.js';
import { MASTER_KEY_PURPOSE, deriveKey } from './derive.js';

export interface DerivedKey {
  algorithm: KeyAlgorithm;
  privateKey: Uint8Array;
  /** Uncompressed SEC1, 65 bytes. */
  publicKey: Uint8Array;
  signer: Signer;
}

/**
 * The one BSN identity: a 32-byte secret from which every framework key is derived.
 * Its master key (secp256r1, so ordinary X.509 tooling can certify it) is what the
 * network CA certifies and what signs key bindings for the derived chain accounts.
 */
export class BsnIdentity {
  readonly #secret: Uint8Array;
  readonly #master: DerivedKey;

  private constructor(secret: Uint8Array) {
    this.#secret = Uint8Array.from(secret);
    this.#master = this.#kept(MASTER_KEY_PURPOSE.framework, MASTER_KEY_PURPOSE.algorithm, MASTER_KEY_PURPOSE.index);
  }

  /**
   * A fresh identity. The secret is drawn as a valid P-256 scalar (not just 32 random
   * bytes) so it can be stored in an ordinary secp256r1 keystore, which checks its key.
   */
  static generate(): BsnIdentity {
    return new BsnIdentity(generatePrivateKey('secp256r1'));
  }

  static fromSecret(secret: Uint8Array): BsnIdentity {
    if (!(secret instanceof Uint8Array) || secret.length !== 32) {
      throw new InvalidInputError('secret must be 32 bytes', { field: 'secret' });
    }
    if (secret.every((b) => b === 0)) throw new InvalidInputError('secret must not be all zero', { field: 'secret' });
    return new BsnIdentity(secret);
  }

  /** A copy of the secret, for the keystore. Everything else is derivable from it. */
  exportSecret(): Uint8Array {
    return Uint8Array.from(this.#secret);
  }

  get masterPublicKey(): Uint8Array {
    return this.#master.publicKey.slice();
  }

  get masterKeyId(): string {
    return keyIdOf(this.#master.algorithm, this.#master.publicKey);
  }

  /** The master key itself (secp256r1); signs key bindings. */
  get masterKey(): DerivedKey {
    return { ...this.#master, privateKey: this.#master.privateKey.slice(), publicKey: this.#master.publicKey.slice() };
  }

  /**
   * The key for one chain account. 'bsn' is reserved for the master key so a chain
   * account can never be the identity key under another name.
   */
  keyFor(framework: string, algorithm: KeyAlgorithm, index = 0): DerivedKey {
    const key = this.#chainKey(framework, algorithm, index);
    return { ...key, privateKey: key.privateKey.slice(), publicKey: key.publicKey.slice() };
  }

  /** `keyFor(…).signer` without copying the key bytes: what signs every hosted write. */
  signerFor(framework: string, algorithm: KeyAlgorithm, index = 0): Signer {
    return this.#chainKey(framework, algorithm, index).signer;
  }

  #chainKey(framework: string, algorithm: KeyAlgorithm, index: number): DerivedKey {
    if (framework === MASTER_KEY_PURPOSE.framework) {
      throw new InvalidInputError("framework 'bsn' is reserved for the identity's master key", { field: 'framework' });
    }
    return this.#kept(framework, algorithm, index);
  }

  /**
   * Derived keys by purpose: deriving (HKDF + a pure-JS public key) costs ~0.1 ms, and a
   * node signs every hosted write with one; the signer also keeps its OpenSSL key object.
   * Callers get copies of the key bytes, never the kept ones.
   */
  readonly #derived = new Map<string, DerivedKey>();

  /** The kept key for a purpose, derived on first use; never handed out as is. */
  #kept(framework: string, algorithm: KeyAlgorithm, index: number): DerivedKey {
    const id = `${framework}\u0000${algorithm}\u0000${index}`;
    let key = this.#derived.get(id);
    if (!key) {
      const privateKey = deriveKey(this.#secret, { framework, algorithm, index });
      key = { algorithm, privateKey, publicKey: publicKeyOf(algorithm, privateKey), signer: privateKeySigner(algorithm, privateKey) };
      this.#derived.set(id, key);
    }
    return key;
  }

  /** Keeps the secret out of logs and JSON dumps. */
  toJSON(): { masterKeyId: string } {
    return { masterKeyId: this.masterKeyId };
  }
}

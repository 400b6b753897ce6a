// tsyringe (used inside @peculiar/x509) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { createHash, createPrivateKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { InvalidInputError } from '@bsn/contract';
import type { CertAndKey } from './config.js';

type X509Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
const crypto = webcrypto as unknown as X509Crypto;
const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const DAY_MS = 86_400_000;

/**
 * Issues MSP identities from the org's signing CA (the `ca` of the network config): one
 * X.509 certificate per BSN account key, subject `OU=client, CN=bsn-<key hash>`, so the
 * channel's MSP (NodeOUs on) accepts it as a client of the org. Certificates are cached per
 * key; issuing again (another process, a restart) gives another certificate for the same
 * key, which is the same account (accounts.ts).
 */
export class CertificateAuthority {
  private readonly issued = new Map<string, Promise<string>>();
  private signingKey?: Promise<webcrypto.CryptoKey>;
  private readonly caCert: x509.X509Certificate;

  constructor(
    private readonly ca: CertAndKey,
    private readonly validityDays = 3650,
  ) {
    try {
      this.caCert = new x509.X509Certificate(ca.certificate);
    } catch (cause) {
      throw new InvalidInputError('network config: the org CA certificate cannot be parsed', {
        field: '/organizations/ca/certificate',
        cause,
      });
    }
  }

  get caCertificatePem(): string {
    return this.ca.certificate;
  }

  /** The certificate of `publicKey` (65-byte uncompressed P-256), issued once per process. */
  certificateFor(publicKey: Uint8Array): Promise<string> {
    const id = Buffer.from(publicKey).toString('hex');
    let cert = this.issued.get(id);
    if (!cert) {
      cert = this.issue(publicKey);
      this.issued.set(id, cert);
      cert.catch(() => this.issued.delete(id));
    }
    return cert;
  }

  private key(): Promise<webcrypto.CryptoKey> {
    this.signingKey ??= (async () => {
      let der: Buffer;
      try {
        der = createPrivateKey(this.ca.privateKey).export({ format: 'der', type: 'pkcs8' });
      } catch (cause) {
        throw new InvalidInputError('network config: the org CA private key cannot be read', {
          field: '/organizations/ca/privateKey',
          cause,
        });
      }
      return webcrypto.subtle.importKey('pkcs8', der, ECDSA_P256, false, ['sign']);
    })();
    return this.signingKey;
  }

  private async issue(publicKey: Uint8Array): Promise<string> {
    const subjectKey = await webcrypto.subtle.importKey('raw', publicKey, ECDSA_P256, true, ['verify']);
    const keyHash = createHash('sha256').update(publicKey).digest();
    // A serial derived from the key, top bit cleared so the DER INTEGER stays positive.
    const serial = Buffer.from(keyHash.subarray(0, 16));
    serial[0] = (serial[0]! & 0x7f) | 0x01;
    // Backdated a day so peers with a slightly slow clock accept it at once, but never before
    // the CA's own notBefore: Fabric's MSP checks the chain as of the certificate's notBefore.
    const notBefore = new Date(Math.max(Date.now() - DAY_MS, this.caCert.notBefore.getTime()));
    const notAfter = new Date(Math.min(notBefore.getTime() + this.validityDays * DAY_MS, this.caCert.notAfter.getTime()));
    const cert = await x509.X509CertificateGenerator.create(
      {
        serialNumber: serial.toString('hex'),
        subject: [{ OU: ['client'] }, { CN: [`bsn-${keyHash.subarray(0, 20).toString('hex')}`] }],
        issuer: this.caCert.subjectName.toString(),
        notBefore,
        notAfter,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
        publicKey: subjectKey,
        signingKey: await this.key(),
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          await x509.SubjectKeyIdentifierExtension.create(subjectKey, false, crypto),
          await x509.AuthorityKeyIdentifierExtension.create(this.caCert, false, crypto),
        ],
      },
      crypto,
    );
    return cert.toString('pem');
  }
}

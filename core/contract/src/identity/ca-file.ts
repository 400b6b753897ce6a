import { InvalidInputError, UnauthorizedError } from '../errors/errors.js';
import { bytesEqual } from '../encoding/bytes.js';
import { decryptKey, encryptKey, parseKeystore, type KeystoreFile, type KeystoreOptions } from '../crypto/keystore.js';
import { writeFileAtomic } from '../crypto/atomic-file.js';
import type { NetworkCa } from './ca.js';
import { readJson } from './identity-file.js';
import { p256KeyOf, parseCertificate } from './x509.js';

/** The network CA at rest: its certificate in the clear, its key in a keystore. */
export interface NetworkCaFile {
  format: 'bsn-ca';
  version: 1;
  name: string;
  certificate: string;
  keystore: KeystoreFile;
}

export function sealNetworkCa(ca: NetworkCa, name: string, passphrase: string, opts: KeystoreOptions = {}): NetworkCaFile {
  return {
    format: 'bsn-ca',
    version: 1,
    name,
    certificate: ca.certificatePem,
    keystore: encryptKey({ algorithm: 'secp256r1', privateKey: ca.privateKey, label: `bsn-ca:${name}` }, passphrase, opts),
  };
}

export function parseNetworkCaFile(json: unknown): NetworkCaFile {
  const f = json as Partial<NetworkCaFile> | null;
  if (typeof f !== 'object' || f === null || f.format !== 'bsn-ca' || f.version !== 1) {
    throw new InvalidInputError("not a bsn CA file (format 'bsn-ca', version 1)", { field: '/format' });
  }
  if (typeof f.name !== 'string') throw new InvalidInputError('the CA file has no name', { field: '/name' });
  parseCertificate(f.certificate as string, '/certificate');
  return { ...f, keystore: parseKeystore(f.keystore) } as NetworkCaFile;
}

/** Decrypts the CA key and checks it is the key of the certificate beside it. */
export function openNetworkCa(file: NetworkCaFile, passphrase: string): NetworkCa {
  const { algorithm, privateKey } = decryptKey(file.keystore, passphrase);
  const certKey = p256KeyOf(parseCertificate(file.certificate, '/certificate'));
  if (algorithm !== 'secp256r1' || !certKey || !bytesEqual(certKey, Buffer.from(file.keystore.publicKey, 'hex'))) {
    throw new UnauthorizedError('the CA key does not belong to the CA certificate (tampered?)');
  }
  return { certificatePem: file.certificate, privateKey };
}

export async function readNetworkCaFile(path: string): Promise<NetworkCaFile> {
  return parseNetworkCaFile(await readJson(path));
}

export async function writeNetworkCaFile(path: string, file: NetworkCaFile): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(parseNetworkCaFile(file), null, 2) + '\n', { mode: 0o600 });
}

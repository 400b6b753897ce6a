// Identities a forger of Fabric evidence holds: its own CAs and the certificates they issue. A
// verifier given roots that pin these CAs must accept what they sign correctly — and nothing
// else — so the suite can reach every check behind a signature (docs/adapter-contract.md §8).
import 'reflect-metadata';
import { generateKeyPairSync, randomBytes, sign, webcrypto, type KeyObject } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import * as x509 from '@peculiar/x509';
import { msp } from '@hyperledger/fabric-protos';

type X509Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
const subtle = webcrypto as unknown as X509Crypto;
const P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const DAY = 86_400_000;

export interface Authority {
  mspId: string;
  certificate: string;
  key: CryptoKey;
}

/** A signing identity: the serialized MSP identity (what Fabric carries) and its key. */
export interface Identity {
  mspId: string;
  certificate: string;
  serialized: Uint8Array;
  key: KeyObject;
}

const serial = () =>
  randomBytes(8)
    .toString('hex')
    .replace(/^[89a-f]/, '1');

/** A self-signed P-256 CA for an MSP of the forger's own. */
export async function authority(mspId: string): Promise<Authority> {
  const keys = (await webcrypto.subtle.generateKey(P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name: `CN=ca.${mspId.toLowerCase()}, O=${mspId}`,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
      ],
    },
    subtle,
  );
  return { mspId, certificate: cert.toString('pem'), key: keys.privateKey };
}

/** An end-entity identity with NodeOU `role` (`OU=peer`, `OU=orderer`, `OU=client`…), issued by `ca`. */
export async function issue(ca: Authority, role: string): Promise<Identity> {
  const caCert = new x509.X509Certificate(ca.certificate);
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const subjectKey = await webcrypto.subtle.importKey('spki', publicKey.export({ format: 'der', type: 'spki' }), P256, true, ['verify']);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serial(),
      subject: `OU=${role}, CN=${role}-${randomBytes(3).toString('hex')}`,
      issuer: caCert.subjectName.toString(),
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 300 * DAY),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      publicKey: subjectKey,
      signingKey: ca.key,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        await x509.AuthorityKeyIdentifierExtension.create(caCert, false, subtle),
      ],
    },
    subtle,
  );
  const certificate = cert.toString('pem');
  const id = new msp.SerializedIdentity();
  id.setMspid(ca.mspId);
  id.setIdBytes(Buffer.from(certificate));
  return { mspId: ca.mspId, certificate, serialized: id.serializeBinary(), key: privateKey };
}

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** ECDSA P-256 over SHA-256(data) as Fabric signs: DER, low S. */
export function fabricSignature(key: KeyObject, data: Uint8Array): Uint8Array {
  return derOf(new Uint8Array(sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })));
}

/** r‖s (64 bytes) as DER, S made low (a compact signature from a core Signer). */
export function derOf(compact: Uint8Array, lowS = true): Uint8Array {
  let s = BigInt(`0x${Buffer.from(compact.subarray(32)).toString('hex')}`);
  if (lowS && s > N / 2n) s = N - s;
  const int = (v: Uint8Array) => {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    const t = v.subarray(i);
    return t[0]! & 0x80 ? [0x02, t.length + 1, 0, ...t] : [0x02, t.length, ...t];
  };
  const r = int(compact.subarray(0, 32));
  const sd = int(Buffer.from(s.toString(16).padStart(64, '0'), 'hex'));
  return Uint8Array.from([0x30, r.length + sd.length, ...r, ...sd]);
}

/** The same DER signature with S replaced by n − S: valid ECDSA still, but high S, which Fabric refuses. */
export function withHighS(der: Uint8Array): Uint8Array {
  const rLen = der[3]!;
  const r = der.subarray(4, 4 + rLen);
  const sLen = der[5 + rLen]!;
  const s = BigInt(`0x${Buffer.from(der.subarray(6 + rLen, 6 + rLen + sLen)).toString('hex')}`);
  const compact = new Uint8Array(64);
  compact.set(r.length === 33 ? r.subarray(1) : r, 32 - Math.min(r.length, 32));
  compact.set(Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex'), 32);
  return derOf(compact, false);
}

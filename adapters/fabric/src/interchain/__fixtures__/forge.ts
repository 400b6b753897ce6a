// Test support: the tools of someone who wants a Fabric verifier to accept what the chain did
// not commit — re-encode a block after changing what is inside, re-sign the envelope as its
// creator, re-sign the header as an orderer, mint identities from a CA.
import 'reflect-metadata';
import { generateKeyPairSync, randomBytes, sign, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import type { Signer } from '@bsn/contract';
import { blockHeaderBytes } from '../../blocks.js';
import { derSignature } from '../../signer-bridge.js';
import { sha256 } from '../../sha256.js';

type X509Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
const crypto = webcrypto as unknown as X509Crypto;
const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** A signing identity: the serialized MSP identity and its key. */
export interface Minted {
  mspId: string;
  certificate: string;
  identity: Uint8Array;
  key: KeyObject;
}

/** DER, low-S signature over SHA-256(data), as Fabric signs. */
export function fabricSign(key: KeyObject, data: Uint8Array): Uint8Array {
  return derSignature(new Uint8Array(sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })));
}

export function serializedIdentity(mspId: string, certificate: string): Uint8Array {
  const id = new msp.SerializedIdentity();
  id.setMspid(mspId);
  id.setIdBytes(Buffer.from(certificate));
  return id.serializeBinary();
}

/** A self-signed CA certificate and its key (a CA nobody pinned), with the subject given. */
export async function rogueCa(subject: string): Promise<{ certificate: string; privateKey: string }> {
  const keys = await webcrypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomBytes(8)
        .toString('hex')
        .replace(/^[89a-f]/, '1'),
      name: subject,
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 86_400_000 * 365),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
      ],
    },
    crypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return {
    certificate: cert.toString('pem'),
    privateKey: `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`,
  };
}

/** An end-entity identity with OU=`role`, issued by `ca` (certificate + PKCS#8 key PEM). */
export async function mint(
  mspId: string,
  ca: { certificate: string; privateKey: string },
  role: string,
  cn = `${role}-${randomBytes(3).toString('hex')}`,
  validity?: { notBefore: Date; notAfter: Date },
): Promise<Minted> {
  const caCert = new x509.X509Certificate(ca.certificate);
  const caKey = await webcrypto.subtle.importKey('pkcs8', pemBody(ca.privateKey), ECDSA_P256, false, ['sign']);
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const subjectKey = await webcrypto.subtle.importKey('spki', publicKey.export({ format: 'der', type: 'spki' }), ECDSA_P256, true, [
    'verify',
  ]);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomBytes(8)
        .toString('hex')
        .replace(/^[89a-f]/, '1'),
      subject: `OU=${role}, CN=${cn}`,
      issuer: caCert.subjectName.toString(),
      notBefore: validity?.notBefore ?? new Date(Math.max(Date.now() - 86_400_000, caCert.notBefore.getTime())),
      notAfter: validity?.notAfter ?? new Date(Math.min(Date.now() + 86_400_000 * 365, caCert.notAfter.getTime())),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      publicKey: subjectKey,
      signingKey: caKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        await x509.AuthorityKeyIdentifierExtension.create(caCert, false, crypto),
      ],
    },
    crypto,
  );
  const certificate = cert.toString('pem');
  return { mspId, certificate, identity: serializedIdentity(mspId, certificate), key: privateKey };
}

/** A certificate's subject as @peculiar/x509 writes it (and reads it back in the same order). */
export function subjectOf(pem: string): string {
  return new x509.X509Certificate(pem).subject;
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

export interface Edit {
  /**
   * Change what the endorsers answered (the chaincode action: its event, read-write set, response)
   * before the endorsements are replaced — which must then be re-signed over the new payload.
   */
  action?: (a: peer.ChaincodeAction) => void;
  /** Replace the endorsements (given the signed proposal response payload). */
  endorsements?: (list: peer.Endorsement[], responsePayload: Uint8Array) => peer.Endorsement[] | Promise<peer.Endorsement[]>;
  /** Re-sign the envelope with the creator's own key (the creator is a member, so can). */
  creator?: Signer;
  /** Recompute the header's data hash after the data changed. */
  rehash?: boolean;
  /** Re-sign the header as this orderer identity (replacing the block's signatures). */
  orderer?: Minted;
  /** Change the validation flags (unsigned metadata). */
  flags?: (flags: Uint8Array) => void;
  /** Change the header (before any re-signing). */
  header?: (h: common.BlockHeader) => void;
}

/** The block (base64) with `edit` applied to it and to its transaction `txIndex`. */
export async function forge(blockB64: string, txIndex: number, edit: Edit): Promise<string> {
  const block = common.Block.deserializeBinary(Buffer.from(blockB64, 'base64'));
  const data = block
    .getData()!
    .getDataList_asU8()
    .map((d) => Uint8Array.from(d));
  if (edit.endorsements || edit.creator) {
    const envelope = common.Envelope.deserializeBinary(data[txIndex]!);
    let payloadBytes = envelope.getPayload_asU8();
    if (edit.endorsements) {
      const payload = common.Payload.deserializeBinary(payloadBytes);
      const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
      const action = tx.getActionsList()[0]!;
      const cap = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
      const endorsed = cap.getAction()!;
      if (edit.action) {
        const prp = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
        const ccAction = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
        edit.action(ccAction);
        prp.setExtension$(ccAction.serializeBinary());
        endorsed.setProposalResponsePayload(prp.serializeBinary());
      }
      endorsed.setEndorsementsList(await edit.endorsements(endorsed.getEndorsementsList(), endorsed.getProposalResponsePayload_asU8()));
      cap.setAction(endorsed);
      action.setPayload(cap.serializeBinary());
      tx.setActionsList([action]);
      payload.setData(tx.serializeBinary());
      payloadBytes = payload.serializeBinary();
      envelope.setPayload(payloadBytes);
    }
    if (edit.creator) envelope.setSignature(derSignature((await edit.creator.signDigest(sha256(payloadBytes))).compact));
    data[txIndex] = Uint8Array.from(envelope.serializeBinary());
    block.getData()!.setDataList(data);
  }
  const header = block.getHeader()!;
  if (edit.rehash) header.setDataHash(sha256(...data));
  edit.header?.(header);
  const metadata = block
    .getMetadata()!
    .getMetadataList_asU8()
    .map((m) => Uint8Array.from(m));
  if (edit.orderer) {
    const old = common.Metadata.deserializeBinary(metadata[common.BlockMetadataIndex.SIGNATURES]!);
    const sigHeader = new common.SignatureHeader();
    sigHeader.setCreator(edit.orderer.identity);
    sigHeader.setNonce(randomBytes(24));
    const sigHeaderBytes = sigHeader.serializeBinary();
    const headerBytes = blockHeaderBytes(BigInt(header.getNumber()), header.getPreviousHash_asU8(), header.getDataHash_asU8());
    const s = new common.MetadataSignature();
    s.setSignatureHeader(sigHeaderBytes);
    s.setSignature(fabricSign(edit.orderer.key, Buffer.concat([old.getValue_asU8(), sigHeaderBytes, headerBytes])));
    const fresh = new common.Metadata();
    fresh.setValue(old.getValue_asU8());
    fresh.setSignaturesList([s]);
    metadata[common.BlockMetadataIndex.SIGNATURES] = Uint8Array.from(fresh.serializeBinary());
  }
  if (edit.flags) edit.flags(metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER]!);
  block.getMetadata()!.setMetadataList(metadata);
  return Buffer.from(block.serializeBinary()).toString('base64');
}

/** An endorsement by `who` over the proposal response payload (a valid signature by that identity). */
export function endorsementBy(who: Minted, responsePayload: Uint8Array): peer.Endorsement {
  const e = new peer.Endorsement();
  e.setEndorser(who.identity);
  e.setSignature(fabricSign(who.key, Buffer.concat([responsePayload, who.identity])));
  return e;
}

/** The same endorsement with its ECDSA signature's S replaced by n − S (still valid ECDSA, but high S). */
export function highS(e: peer.Endorsement): peer.Endorsement {
  const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const sig = e.getSignature_asU8();
  const rLen = sig[3]!;
  const r = sig.subarray(4, 4 + rLen);
  const sLen = sig[5 + rLen]!;
  const s = BigInt(`0x${Buffer.from(sig.subarray(6 + rLen, 6 + rLen + sLen)).toString('hex')}`);
  const high = Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex');
  const sBytes = high[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), high]) : high;
  const out = new peer.Endorsement();
  out.setEndorser(e.getEndorser_asU8());
  out.setSignature(Uint8Array.from([0x30, r.length + sBytes.length + 4, 0x02, r.length, ...r, 0x02, sBytes.length, ...sBytes]));
  return out;
}

/** Flips one bit of a byte string (a copy). */
export function flipped(bytes: Uint8Array, at = bytes.length - 1): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[at]! ^= 0x01;
  return out;
}

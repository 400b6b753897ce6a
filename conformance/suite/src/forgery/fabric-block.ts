// Re-encoding a committed Fabric block after changing something inside one transaction, and
// re-signing every layer the change broke with keys the forger holds: the creator's (the suite's
// own member, who sent the packet), its own endorser's and its own orderer's. One defect at a
// time then reaches exactly one check of a verifier given roots that pin the forger's CAs.
import { createHash, randomBytes } from 'node:crypto';
import { common, peer } from '@hyperledger/fabric-protos';
import type { Signer } from '@bsn/contract';
import { derOf, fabricSignature, type Identity } from './fabric-identities.js';

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

/** What to change in the transaction, each step on the decoded message (mutate it in place). */
export interface TxEdit {
  channelHeader?(h: common.ChannelHeader): void;
  signatureHeader?(h: common.SignatureHeader): void;
  proposalPayload?(p: peer.ChaincodeProposalPayload): void;
  /** What the chaincode did: its response, event, read-write set, name. */
  chaincodeAction?(a: peer.ChaincodeAction): void;
  /** After the proposal hash was recomputed for the edited proposal (to break it on purpose). */
  responsePayload?(r: peer.ProposalResponsePayload): void;
  /** Endorsements over the final response payload (default: one by the forger's endorser). */
  endorsements?(responsePayload: Uint8Array): peer.Endorsement[];
  actions?(list: peer.TransactionAction[]): peer.TransactionAction[];
  /** The action's signature header, before the proposal hash is computed over it (so only the creator check sees it). */
  actionHeader?(h: common.SignatureHeader): void;
  /** A fresh nonce, with the channel header's tx id rederived from it (a valid id of another transaction). */
  nonce?: Uint8Array;
  /** Leave the creator's signature as it was (default: the creator signs the edited payload). */
  keepCreatorSignature?: boolean;
  /** Sign the envelope as this identity instead of the forger's creator. */
  signAs?: Identity;
  /** Change the signed envelope after signing. */
  envelope?(e: common.Envelope): void;
}

export interface BlockEdit {
  tx?: TxEdit;
  /** The whole data list, after the transaction was rebuilt. */
  data?(list: Uint8Array[], txIndex: number): Uint8Array[];
  /** Keep the header's data hash (default: recomputed from the data). */
  keepDataHash?: boolean;
  header?(h: common.BlockHeader): void;
  /** Who signs the header; null leaves the block's own signatures. */
  orderer?: Identity | null;
  /** The signatures metadata after signing. */
  signatures?(m: common.Metadata): void;
  flags?(flags: Uint8Array): Uint8Array;
}

export interface Forger {
  creator: Signer;
  endorser: Identity;
  orderer: Identity;
}

/** An endorsement by `who` over a proposal response payload, as a peer signs it. */
export function endorsement(who: Identity, responsePayload: Uint8Array): peer.Endorsement {
  const e = new peer.Endorsement();
  e.setEndorser(who.serialized);
  e.setSignature(fabricSignature(who.key, Buffer.concat([responsePayload, who.serialized])));
  return e;
}

/** Rebuilds transaction `envelopeBytes` with `edit` applied, re-signed as the forger. */
export async function forgeTransaction(envelopeBytes: Uint8Array, edit: TxEdit, forger: Forger): Promise<Uint8Array> {
  const envelope = common.Envelope.deserializeBinary(envelopeBytes);
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const header = payload.getHeader()!;
  const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
  if (edit.nonce) {
    signatureHeader.setNonce(edit.nonce);
    channelHeader.setTxId(Buffer.from(sha256(edit.nonce, signatureHeader.getCreator_asU8())).toString('hex'));
  }
  edit.channelHeader?.(channelHeader);
  const channelHeaderBytes = channelHeader.serializeBinary();
  header.setChannelHeader(channelHeaderBytes);
  edit.signatureHeader?.(signatureHeader);
  header.setSignatureHeader(signatureHeader.serializeBinary());

  const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const action = tx.getActionsList()[0]!;
  if (edit.actionHeader) {
    const h = common.SignatureHeader.deserializeBinary(action.getHeader_asU8());
    edit.actionHeader(h);
    action.setHeader(h.serializeBinary());
  }
  const cap = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const proposalPayload = peer.ChaincodeProposalPayload.deserializeBinary(cap.getChaincodeProposalPayload_asU8());
  edit.proposalPayload?.(proposalPayload);
  const proposalPayloadBytes = proposalPayload.serializeBinary();
  cap.setChaincodeProposalPayload(proposalPayloadBytes);

  const endorsed = cap.getAction()!;
  const response = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
  const ccAction = peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8());
  edit.chaincodeAction?.(ccAction);
  response.setExtension$(ccAction.serializeBinary());
  response.setProposalHash(sha256(channelHeaderBytes, action.getHeader_asU8(), proposalPayloadBytes));
  edit.responsePayload?.(response);
  const responseBytes = response.serializeBinary();
  endorsed.setProposalResponsePayload(responseBytes);
  endorsed.setEndorsementsList(edit.endorsements ? edit.endorsements(responseBytes) : [endorsement(forger.endorser, responseBytes)]);
  cap.setAction(endorsed);
  action.setPayload(cap.serializeBinary());
  const actions = edit.actions ? edit.actions([action]) : [action];
  tx.setActionsList(actions);
  payload.setData(tx.serializeBinary());

  const payloadBytes = payload.serializeBinary();
  envelope.setPayload(payloadBytes);
  if (edit.signAs) envelope.setSignature(fabricSignature(edit.signAs.key, payloadBytes));
  else if (!edit.keepCreatorSignature) envelope.setSignature(derOf((await forger.creator.signDigest(sha256(payloadBytes))).compact));
  edit.envelope?.(envelope);
  return envelope.serializeBinary();
}

/** The block (base64) with transaction `txIndex` forged and the header re-signed as the forger's orderer. */
export async function forgeBlock(blockB64: string, txIndex: number, edit: BlockEdit, forger: Forger): Promise<string> {
  const block = common.Block.deserializeBinary(Buffer.from(blockB64, 'base64'));
  let data: Uint8Array[] = block
    .getData()!
    .getDataList_asU8()
    .map((d) => Uint8Array.from(d));
  if (edit.tx) data[txIndex] = await forgeTransaction(data[txIndex]!, edit.tx, forger);
  if (edit.data) data = edit.data(data, txIndex);
  block.getData()!.setDataList(data);
  const header = block.getHeader()!;
  if (!edit.keepDataHash) header.setDataHash(sha256(...data));
  edit.header?.(header);
  const metadata: Uint8Array[] = block
    .getMetadata()!
    .getMetadataList_asU8()
    .map((m) => Uint8Array.from(m));
  const orderer = edit.orderer === undefined ? forger.orderer : edit.orderer;
  if (orderer) {
    const old = common.Metadata.deserializeBinary(metadata[common.BlockMetadataIndex.SIGNATURES]!);
    const sigHeader = new common.SignatureHeader();
    sigHeader.setCreator(orderer.serialized);
    sigHeader.setNonce(randomBytes(24));
    const sigHeaderBytes = sigHeader.serializeBinary();
    const signed = Buffer.concat([old.getValue_asU8(), sigHeaderBytes, headerBytes(header)]);
    const s = new common.MetadataSignature();
    s.setSignatureHeader(sigHeaderBytes);
    s.setSignature(fabricSignature(orderer.key, signed));
    const fresh = new common.Metadata();
    fresh.setValue(old.getValue_asU8());
    fresh.setSignaturesList([s]);
    edit.signatures?.(fresh);
    metadata[common.BlockMetadataIndex.SIGNATURES] = fresh.serializeBinary();
  }
  const flags = metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER]!;
  metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = edit.flags ? edit.flags(Uint8Array.from(flags)) : flags;
  block.getMetadata()!.setMetadataList(metadata);
  return Buffer.from(block.serializeBinary()).toString('base64');
}

/** The DER `SEQUENCE { number, previousHash, dataHash }` Fabric hashes and its orderer signs (protoutil.BlockHeaderBytes). */
export function headerBytes(h: common.BlockHeader): Uint8Array {
  const len = (n: number) => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]);
  let hex = BigInt(h.getNumber()).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const num = [...Buffer.from(hex, 'hex')];
  if (num[0]! & 0x80) num.unshift(0);
  const octets = (b: Uint8Array) => [0x04, ...len(b.length), ...b];
  const body = [0x02, ...len(num.length), ...num, ...octets(h.getPreviousHash_asU8()), ...octets(h.getDataHash_asU8())];
  return Uint8Array.from([0x30, ...len(body.length), ...body]);
}

import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { packetId, type Evidence, type Interchain, type TrustRoots } from '@bsn/contract';
import { defineCases } from '../case.js';
import type { SuiteContext } from '../context.js';
import { endorsement, forgeTransaction, type BlockEdit } from '../forgery/fabric-block.js';
import { event, fabricForger, flip, reads, writes as writesOf, type FabricProofShape } from '../forgery/fabric-forger.js';
import { withHighS, type Identity } from '../forgery/fabric-identities.js';
import { attestedPacket, emitPacket } from './interchain.js';

export const evidenceForgeryCases = defineCases([
  {
    id: 'FRG-001',
    title:
      "forged evidence is rejected even when signed by keys the roots pin: another packet's proof, and for Fabric each single forgery of a block re-signed by the forger's own orderer, endorser and the packet's creator",
    level: 'MUST',
    capability: 'interchain.verify',
    async run(ctx) {
      const { ic, app, nodes, evidence } = await attestedPacket(ctx);
      // Any framework: a real proof of another packet of the same app never proves this one.
      const other = await emitPacket(ctx, ic, app);
      const otherEvidence = await ic.evidence(other.receipt.txId, { kind: 'packet', packetId: packetId(other.packet) });
      const swapped = { ...structuredClone(evidence), proof: structuredClone(otherEvidence.proof) };
      expect((await ic.verify(swapped, nodes.trust)).state, "this packet's evidence carrying another packet's proof").toBe('rejected');
      if (ctx.description.framework === 'fabric') await fabricForgeries(ctx, ic, evidence, nodes.trust);
    },
  },
]);

/**
 * The forger pins its own orderer CA and its own endorsing org (the policy: one endorsement by
 * it), keeps the packet's creator (the suite's member, whose key it holds) and re-signs every
 * layer after one change. The unchanged re-signed block is proven — so each rejection below is
 * the verifier refusing that one change, not the re-signing.
 */
async function fabricForgeries(ctx: SuiteContext, ic: Interchain, evidence: Evidence, trust: TrustRoots): Promise<void> {
  const { forger, roots, client, ordererAsPeer, stranger, forged: forgedFrom } = await fabricForger(ctx, trust);
  const { endorser } = forger;
  const proof = evidence.proof as unknown as FabricProofShape;
  const forged = (edit: BlockEdit, change?: (e: Evidence, p: FabricProofShape) => void) => forgedFrom(evidence, edit, change);

  const control = await forged({});
  const proven = await ic.verify(control, roots);
  expect(
    proven.state,
    `the re-signed, unchanged block against the forger's roots: ${proven.state === 'rejected' ? proven.reason : ''}`,
  ).toBe('proven');
  expect((await ic.verify(control, trust)).state, 'the re-signed block against the roots the network pins').toBe('rejected');

  const writes = (f: (w: ledger.rwset.kvrwset.KVWrite[]) => ledger.rwset.kvrwset.KVWrite[], model?: number) => writesOf('p/', f, model);
  const isRecord = (w: ledger.rwset.kvrwset.KVWrite) => w.getKey().startsWith('p/');
  const isCounter = (w: ledger.rwset.kvrwset.KVWrite) => w.getKey().startsWith('s/');
  const fakeTxId = 'ab'.repeat(32);
  const original = common.Block.deserializeBinary(Buffer.from(proof.block, 'base64')).getData()!.getDataList_asU8()[proof.txIndex]!;
  const creator = common.SignatureHeader.deserializeBinary(
    common.Payload.deserializeBinary(common.Envelope.deserializeBinary(original).getPayload_asU8()).getHeader()!.getSignatureHeader_asU8(),
  ).getCreator_asU8();
  const noNonceTxId = createHash('sha256').update(creator).digest('hex');
  /** The transaction's event and packet record naming `txId` (as the chaincode would under that id). */
  const renamed =
    (txId: string) =>
    (a: peer.ChaincodeAction): void => {
      event((e) => e.setTxId(txId))(a);
      writes((w) => w.map((x) => (isRecord(x) && x.setValue(withTx(x.getValue_asU8(), txId)), x)))(a);
    };

  const forgeries: Array<[string, BlockEdit, ((e: Evidence, p: FabricProofShape) => void)?]> = [
    // the block and its orderer
    ['signed by an orderer whose certificate lacks OU=orderer', { orderer: ordererAsPeer }],
    [
      'signed by an orderer with a high-S signature',
      { signatures: (m) => m.getSignaturesList()[0]!.setSignature(withHighS(m.getSignaturesList()[0]!.getSignature_asU8())) },
    ],
    [
      'whose orderer signature is over other bytes',
      { signatures: (m) => m.getSignaturesList()[0]!.setSignature(flip(m.getSignaturesList()[0]!.getSignature_asU8(), 8)) },
    ],
    ['with no orderer signature', { signatures: (m) => m.setSignaturesList([]) }],
    ["signed only by the network's own orderer, which these roots do not pin", { orderer: null }],
    [
      'whose data no longer hashes to its header',
      { keepDataHash: true, tx: { chaincodeAction: (a) => a.getResponse()!.setMessage('changed') } },
    ],
    ['whose number is not the evidence block', { header: (h) => h.setNumber(h.getNumber() + 1) }],
    ['whose flag says MVCC_READ_CONFLICT', { flags: (f) => ((f[proof.txIndex] = 11), f) }],
    ['whose flags do not match its transactions', { flags: (f) => Uint8Array.from([...f, 0]) }],
    ['whose transaction index is past its end', {}, (_e, p) => (p.txIndex = 1_000)],
    [
      'in which an earlier copy of the transaction wins the same-block race',
      { data: (list, i) => [list[i]!, ...list], flags: (f) => Uint8Array.from([0, ...f]) },
      (_e, p) => (p.txIndex += 1),
    ],
    // the transaction and its creator
    ['holding a config transaction', { tx: { channelHeader: (h) => h.setType(common.HeaderType.CONFIG) } }],
    ['holding a transaction on another channel', { tx: { channelHeader: (h) => h.setChannelId(`${h.getChannelId()}x`) } }],
    ['holding another transaction id than the evidence names', { tx: { channelHeader: (h) => h.setTxId(fakeTxId) } }],
    [
      'whose transaction id is not SHA-256(nonce ‖ creator), though its event and packet record name it',
      { tx: { channelHeader: (h) => h.setTxId(fakeTxId), chaincodeAction: renamed(fakeTxId) } },
      (e) => (e.txId = fakeTxId),
    ],
    ['holding another valid transaction than the one the evidence names', { tx: { nonce: Buffer.from('another nonce of the creator') } }],
    ['named with another block hash', {}, (e) => (e.blockHash = 'cd'.repeat(32))],
    [
      'whose transaction has no nonce, its id SHA-256(creator) everywhere',
      { tx: { nonce: new Uint8Array(), chaincodeAction: renamed(noNonceTxId) } },
      (e) => (e.txId = noNonceTxId),
    ],
    ['whose transaction has no timestamp', { tx: { channelHeader: (h) => h.clearTimestamp() } }],
    [
      'whose creator signature no longer holds',
      { tx: { chaincodeAction: (a) => a.getResponse()!.setMessage('changed'), keepCreatorSignature: true } },
    ],
    [
      'signed by a creator no pinned org issued',
      {
        tx: {
          signatureHeader: (h) => (h.setCreator(stranger.serialized), h.setNonce(STRANGER_NONCE)),
          channelHeader: (h) => h.setTxId(txIdOf(STRANGER_NONCE, stranger)),
          signAs: stranger,
        },
      },
      (e) => (e.txId = txIdOf(STRANGER_NONCE, stranger)),
    ],
    ['with two actions', { tx: { actions: (l) => [l[0]!, l[0]!] } }],
    ['whose action names another creator', { tx: { actionHeader: (h) => h.setCreator(stranger.serialized) } }],
    [
      'whose endorsed response is for another proposal',
      { tx: { responsePayload: (r) => r.setProposalHash(flip(r.getProposalHash_asU8())) } },
    ],
    ['invoking another chaincode', { tx: { proposalPayload: (p) => p.setInput(renamedInvocation(p.getInput_asU8())) } }],
    // the endorsements
    ['with no endorsement', { tx: { endorsements: () => [] } }],
    ['endorsed by an identity without OU=peer', { tx: { endorsements: (b) => [endorsement(client, b)] } }],
    ['endorsed with a high-S signature', { tx: { endorsements: (b) => [highS(endorsement(endorser, b))] } }],
    ['endorsed over other bytes', { tx: { endorsements: (b) => [endorsement(endorser, flip(b))] } }],
    ['endorsed only by an org the roots do not pin', { tx: { endorsements: (b) => [endorsement(stranger, b)] } }],
    // what the chaincode did
    ['executed by another chaincode', { tx: { chaincodeAction: (a) => a.getChaincodeId()!.setName(`${a.getChaincodeId()!.getName()}x`) } }],
    ['answered with status 500', { tx: { chaincodeAction: (a) => a.getResponse()!.setStatus(500) } }],
    ['emitting no event', { tx: { chaincodeAction: (a) => a.setEvents(new Uint8Array()) } }],
    ['with an event of another chaincode', { tx: { chaincodeAction: event((e) => e.setChaincodeId(`${e.getChaincodeId()}x`)) } }],
    ['with an event naming another transaction', { tx: { chaincodeAction: event((e) => e.setTxId(fakeTxId)) } }],
    ['with an event of another name', { tx: { chaincodeAction: event((e) => e.setEventName(`${e.getEventName()}x`)) } }],
    ['with an event carrying other packet bytes', { tx: { chaincodeAction: event((e) => e.setPayload(flip(e.getPayload_asU8(), 2))) } }],
    ['not writing the packet record', { tx: { chaincodeAction: writes((w) => w.filter((x) => !isRecord(x))) } }],
    [
      'recording another commitment',
      { tx: { chaincodeAction: writes((w) => w.map((x) => (isRecord(x) && x.setValue(flip(x.getValue_asU8(), 20)), x))) } },
    ],
    ['not advancing the seq counter', { tx: { chaincodeAction: writes((w) => w.filter((x) => !isCounter(x))) } }],
    [
      'advancing the seq counter to another seq',
      { tx: { chaincodeAction: writes((w) => w.map((x) => (isCounter(x) && x.setValue(Buffer.from('{"seq":99}')), x))) } },
    ],
    ['writing the packet record twice', { tx: { chaincodeAction: writes((w) => [...w, ...w.filter(isRecord)]) } }],
    ['whose read-write set is not a key/value set', { tx: { chaincodeAction: writes((w) => w, 1) } }],
  ];
  // The same-block race, from the other side: earlier transactions that did not win it are no
  // winners, so the evidence is proven — one that read the counter at another version (it lost,
  // or read stale), and a copy whose creator signature does not hold (it was never valid). Behind
  // such a copy, a valid one still wins.
  const [staleReader, laterReader, unsigned, copy] = await Promise.all([
    forgeTransaction(original, { chaincodeAction: reads('s/', otherVersion) }, forger),
    forgeTransaction(original, { chaincodeAction: reads('s/', readAt(1, 1)) }, forger),
    forgeTransaction(original, { chaincodeAction: (a) => a.getResponse()!.setMessage('changed'), keepCreatorSignature: true }, forger),
    forgeTransaction(original, {}, forger),
  ]);
  const behind = (earlier: Uint8Array[]): BlockEdit => ({
    data: (list) => [...earlier, ...list],
    flags: (f) => Uint8Array.from([...earlier.map(() => 0), ...f]),
  });
  const moved = (n: number) => (_e: Evidence, p: FabricProofShape) => (p.txIndex += n);
  // A further org or orderer the roots do not pin (another org on the channel) neither counts nor refutes.
  const networkSignatures = common.Metadata.deserializeBinary(
    common.Block.deserializeBinary(Buffer.from(proof.block, 'base64')).getMetadata()!.getMetadataList_asU8()[
      common.BlockMetadataIndex.SIGNATURES
    ]!,
  ).getSignaturesList();
  const accepted: Array<[string, BlockEdit, ((e: Evidence, p: FabricProofShape) => void)?]> = [
    ['behind an earlier transaction that read the counter at another version', behind([staleReader]), moved(1)],
    [
      'reading the counter at version 1:0, behind an earlier transaction that read it at 1:1',
      { ...behind([laterReader]), tx: { chaincodeAction: reads('s/', readAt(1, 0)) } },
      moved(1),
    ],
    ['behind an earlier transaction whose creator signature does not hold', behind([unsigned]), moved(1)],
    [
      'endorsed by the pinned org and by one the roots do not pin',
      { tx: { endorsements: (b) => [endorsement(stranger, b), endorsement(endorser, b)] } },
    ],
    [
      "signed by the pinned orderer and by the network's own",
      { signatures: (m) => m.setSignaturesList([...networkSignatures, ...m.getSignaturesList()]) },
    ],
  ];
  for (const [what, edit, change] of accepted) {
    const verdict = await ic.verify(await forged(edit, change), roots);
    expect(verdict.state, `a block ${what}: ${verdict.state === 'rejected' ? verdict.reason : ''}`).toBe('proven');
  }
  forgeries.push(['in which a valid copy behind an unsigned one wins the same-block race', behind([unsigned, copy]), moved(2)]);

  for (const [what, edit, change] of forgeries) {
    const verdict = await ic.verify(await forged(edit, change), roots);
    expect(verdict.state, `a block ${what}`).toBe('rejected');
    expect(verdict.state === 'rejected' && verdict.reason.trim().length > 0, `a block ${what}: the rejection gives a reason`).toBe(true);
  }
}

/** Sets a read's version to block `block`, transaction `tx`. */
const readAt = (block: number, tx: number) => (r: ledger.rwset.kvrwset.KVRead) => {
  const at = new ledger.rwset.kvrwset.Version();
  at.setBlockNum(block);
  at.setTxNum(tx);
  r.setVersion(at);
};

/** A read at another version than it had: one transaction later, or at block 1 if the key was absent. */
function otherVersion(r: ledger.rwset.kvrwset.KVRead): void {
  const v = r.getVersion();
  if (v) v.setTxNum(v.getTxNum() + 1);
  else {
    const at = new ledger.rwset.kvrwset.Version();
    at.setBlockNum(1);
    r.setVersion(at);
  }
}

const STRANGER_NONCE = Buffer.from('a nonce of the forger');

/** Fabric's transaction id: SHA-256(nonce ‖ serialized creator), hex. */
function txIdOf(nonce: Uint8Array, creator: Identity): string {
  return createHash('sha256').update(nonce).update(creator.serialized).digest('hex');
}

/** A packet record's JSON bytes naming another transaction. */
function withTx(record: Uint8Array, txId: string): Uint8Array {
  return Buffer.from(JSON.stringify({ ...(JSON.parse(Buffer.from(record).toString('utf8')) as object), tx: txId }));
}

function renamedInvocation(input: Uint8Array): Uint8Array {
  const spec = peer.ChaincodeInvocationSpec.deserializeBinary(input);
  const id = spec.getChaincodeSpec()!.getChaincodeId()!;
  id.setName(`${id.getName()}x`);
  return spec.serializeBinary();
}

function highS(e: peer.Endorsement): peer.Endorsement {
  e.setSignature(withHighS(e.getSignature_asU8()));
  return e;
}

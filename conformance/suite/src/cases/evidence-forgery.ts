import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { packetId, type Evidence, type Interchain, type TrustRoots } from '@bsn/contract';
import { defineCases } from '../case.js';
import type { SuiteContext } from '../context.js';
import { endorsement, forgeBlock, type BlockEdit, type Forger } from '../forgery/fabric-block.js';
import { authority, issue, withHighS, type Identity } from '../forgery/fabric-identities.js';
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

interface FabricProofShape {
  block: string;
  txIndex: number;
  packet: { srcApp: string; dstChain: string; dstApp: string; seq: number };
}

/**
 * The forger pins its own orderer CA and its own endorsing org (the policy: one endorsement by
 * it), keeps the packet's creator (the suite's member, whose key it holds) and re-signs every
 * layer after one change. The unchanged re-signed block is proven — so each rejection below is
 * the verifier refusing that one change, not the re-signing.
 */
async function fabricForgeries(ctx: SuiteContext, ic: Interchain, evidence: Evidence, trust: TrustRoots): Promise<void> {
  const [ordererCa, orgCa, strangerCa] = await Promise.all([
    authority('ForgerOrdererMSP'),
    authority('ForgerOrgMSP'),
    authority('StrangerMSP'),
  ]);
  const [orderer, endorser, client, ordererAsPeer, stranger] = await Promise.all([
    issue(ordererCa, 'orderer'),
    issue(orgCa, 'peer'),
    issue(orgCa, 'client'),
    issue(ordererCa, 'peer'),
    issue(strangerCa, 'peer'),
  ]);
  const forger: Forger = { creator: ctx.member.signer, endorser, orderer };
  const r = trust.roots as { orgs: Array<{ mspId: string; caCerts: string[] }> } & Record<string, unknown>;
  const { attesters: _a, threshold: _t, ...rest } = r;
  const roots: TrustRoots = {
    ...trust,
    roots: {
      ...rest,
      orgs: [...r.orgs, { mspId: orgCa.mspId, caCerts: [orgCa.certificate] }],
      orderer: { mspId: ordererCa.mspId, caCerts: [ordererCa.certificate] },
      policy: { kind: 'n-of', n: 1, mspIds: [orgCa.mspId] },
    },
  };
  const proof = evidence.proof as unknown as FabricProofShape;
  const base: Evidence = { ...structuredClone(evidence), attestations: undefined };
  delete base.attestations;
  const forged = async (edit: BlockEdit, change?: (e: Evidence, p: FabricProofShape) => void): Promise<Evidence> => {
    const e = structuredClone(base);
    const p = e.proof as unknown as FabricProofShape;
    p.block = await forgeBlock(proof.block, proof.txIndex, { ...edit, tx: edit.tx ?? {} }, forger);
    change?.(e, p);
    e.blockHash = undefined;
    delete e.blockHash;
    return e;
  };

  const control = await forged({});
  const proven = await ic.verify(control, roots);
  expect(
    proven.state,
    `the re-signed, unchanged block against the forger's roots: ${proven.state === 'rejected' ? proven.reason : ''}`,
  ).toBe('proven');
  expect((await ic.verify(control, trust)).state, 'the re-signed block against the roots the network pins').toBe('rejected');

  const event = (f: (e: peer.ChaincodeEvent) => void) => (a: peer.ChaincodeAction) => {
    const e = peer.ChaincodeEvent.deserializeBinary(a.getEvents_asU8());
    f(e);
    a.setEvents(e.serializeBinary());
  };
  const writes =
    (f: (w: ledger.rwset.kvrwset.KVWrite[]) => ledger.rwset.kvrwset.KVWrite[], model?: number) => (a: peer.ChaincodeAction) => {
      const rw = ledger.rwset.TxReadWriteSet.deserializeBinary(a.getResults_asU8());
      for (const ns of rw.getNsRwsetList()) {
        const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
        if (!kv.getWritesList().some((w) => w.getKey().startsWith('p/'))) continue;
        kv.setWritesList(f(kv.getWritesList()));
        ns.setRwset(kv.serializeBinary());
      }
      if (model !== undefined) rw.setDataModel(model as never);
      a.setResults(rw.serializeBinary());
    };
  const isRecord = (w: ledger.rwset.kvrwset.KVWrite) => w.getKey().startsWith('p/');
  const isCounter = (w: ledger.rwset.kvrwset.KVWrite) => w.getKey().startsWith('s/');
  const flip = (b: Uint8Array, at = b.length - 1) => {
    const o = Uint8Array.from(b);
    o[at]! ^= 1;
    return o;
  };
  const fakeTxId = 'ab'.repeat(32);

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
      'whose transaction id is not SHA-256(nonce ‖ creator)',
      { tx: { channelHeader: (h) => h.setTxId(fakeTxId) } },
      (e) => (e.txId = fakeTxId),
    ],
    ['whose transaction has no nonce', { tx: { signatureHeader: (h) => h.setNonce(new Uint8Array()) } }],
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
    ['whose action names another creator', { tx: { actions: (l) => (l[0]!.setHeader(sigHeaderOf(stranger)), l) } }],
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
  for (const [what, edit, change] of forgeries) {
    const verdict = await ic.verify(await forged(edit, change), roots);
    expect(verdict.state, `a block ${what}`).toBe('rejected');
    expect(verdict.state === 'rejected' && verdict.reason.trim().length > 0, `a block ${what}: the rejection gives a reason`).toBe(true);
  }
}

const STRANGER_NONCE = Buffer.from('a nonce of the forger');

/** Fabric's transaction id: SHA-256(nonce ‖ serialized creator), hex. */
function txIdOf(nonce: Uint8Array, creator: Identity): string {
  return createHash('sha256').update(nonce).update(creator.serialized).digest('hex');
}

function sigHeaderOf(who: Identity): Uint8Array {
  const h = new common.SignatureHeader();
  h.setCreator(who.serialized);
  h.setNonce(Buffer.from('forged-nonce'));
  return h.serializeBinary();
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

// The forger of Fabric evidence the FRG cases share: its own orderer and endorsing org, pinned in
// a copy of the network's roots (the policy: one endorsement by its org), and the suite's member
// as the creator whose key it holds. Every layer is re-signed after one change, so the unchanged
// re-signed block must be proven and each forgery reaches exactly one check of the verifier.
import { ledger, peer } from '@hyperledger/fabric-protos';
import type { Evidence, TrustRoots } from '@bsn/contract';
import type { SuiteContext } from '../context.js';
import { forgeBlock, type BlockEdit, type Forger } from './fabric-block.js';
import { authority, issue, type Identity } from './fabric-identities.js';

export interface FabricProofShape {
  block: string;
  txIndex: number;
  packet: { srcApp: string; dstChain: string; dstApp: string; seq: number };
}

export interface FabricForger {
  forger: Forger;
  /** The network's roots with the forger's CAs pinned and no attesters. */
  roots: TrustRoots;
  /** A client of the forger's org (no OU=peer), a peer certificate of its orderer CA, a peer of an unpinned org. */
  client: Identity;
  ordererAsPeer: Identity;
  stranger: Identity;
  /** `evidence` with its block forged by `edit` and re-signed; `change` then edits the evidence (blockHash is dropped first). */
  forged(evidence: Evidence, edit: BlockEdit, change?: (e: Evidence, p: FabricProofShape) => void): Promise<Evidence>;
}

/** `creator`: who sent the transaction the evidence proves (the suite's member unless a relayer did). */
export async function fabricForger(ctx: SuiteContext, trust: TrustRoots, creator = ctx.member.signer): Promise<FabricForger> {
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
  const forger: Forger = { creator, endorser, orderer };
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
  const forged = async (evidence: Evidence, edit: BlockEdit, change?: (e: Evidence, p: FabricProofShape) => void) => {
    const e: Evidence = structuredClone(evidence);
    delete e.attestations;
    delete e.blockHash;
    const p = e.proof as unknown as FabricProofShape;
    p.block = await forgeBlock(p.block, p.txIndex, { ...edit, tx: edit.tx ?? {} }, forger);
    change?.(e, p);
    return e;
  };
  return { forger, roots, client, ordererAsPeer, stranger, forged };
}

/** Edits the chaincode event of a transaction. */
export const event =
  (f: (e: peer.ChaincodeEvent) => void) =>
  (a: peer.ChaincodeAction): void => {
    const e = peer.ChaincodeEvent.deserializeBinary(a.getEvents_asU8());
    f(e);
    a.setEvents(e.serializeBinary());
  };

/**
 * Edits the public writes of the namespace that wrote a key starting with `prefix` (the chaincode's);
 * `model` replaces the read-write set's data model.
 */
export const writes =
  (prefix: string, f: (w: ledger.rwset.kvrwset.KVWrite[]) => ledger.rwset.kvrwset.KVWrite[], model?: number) =>
  (a: peer.ChaincodeAction): void => {
    const rw = ledger.rwset.TxReadWriteSet.deserializeBinary(a.getResults_asU8());
    for (const ns of rw.getNsRwsetList()) {
      const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      if (!kv.getWritesList().some((w) => w.getKey().startsWith(prefix))) continue;
      kv.setWritesList(f(kv.getWritesList()));
      ns.setRwset(kv.serializeBinary());
    }
    if (model !== undefined) rw.setDataModel(model as never);
    a.setResults(rw.serializeBinary());
  };

/** `b` with one bit of byte `at` (default the last) flipped. */
export const flip = (b: Uint8Array, at = b.length - 1): Uint8Array => {
  const o = Uint8Array.from(b);
  o[at]! ^= 1;
  return o;
};

/** Edits the public reads of every namespace that read a key starting with `prefix`. */
export const reads =
  (prefix: string, f: (r: ledger.rwset.kvrwset.KVRead) => void) =>
  (a: peer.ChaincodeAction): void => {
    const rw = ledger.rwset.TxReadWriteSet.deserializeBinary(a.getResults_asU8());
    for (const ns of rw.getNsRwsetList()) {
      const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      for (const r of kv.getReadsList()) if (r.getKey().startsWith(prefix)) f(r);
      ns.setRwset(kv.serializeBinary());
    }
    a.setResults(rw.serializeBinary());
  };

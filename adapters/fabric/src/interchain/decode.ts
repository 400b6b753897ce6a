import { ledger } from '@hyperledger/fabric-protos';
import { reject } from '@bsn/contract';

/** Decodes a protobuf message from bytes, naming what could not be decoded. */
export function decode<T>(what: string, parse: (b: Uint8Array) => T, bytes: Uint8Array): T {
  try {
    return parse(bytes);
  } catch (error) {
    reject(`${what} cannot be decoded: ${(error as Error).message}`);
  }
}

/** The public writes of a transaction in one namespace: key → value (deletes are absent). */
export function writesOf(results: Uint8Array, namespace: string): Map<string, Uint8Array> {
  const rwset = decode('the read-write set', (b) => ledger.rwset.TxReadWriteSet.deserializeBinary(b), results);
  if (rwset.getDataModel() !== ledger.rwset.TxReadWriteSet.DataModel.KV) reject('the read-write set is not a key/value set');
  const out = new Map<string, Uint8Array>();
  for (const ns of rwset.getNsRwsetList()) {
    if (ns.getNamespace() !== namespace) continue;
    const kv = decode(`the ${namespace} write set`, (b) => ledger.rwset.kvrwset.KVRWSet.deserializeBinary(b), ns.getRwset_asU8());
    for (const w of kv.getWritesList()) {
      if (out.has(w.getKey())) reject(`the write set writes ${w.getKey()} twice`);
      if (!w.getIsDelete()) out.set(w.getKey(), w.getValue_asU8());
    }
  }
  return out;
}

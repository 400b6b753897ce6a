/**
 * The signed-in identity, kept in this browser's IndexedDB: the user code, the public key and
 * the private key as a non-extractable CryptoKey (IndexedDB keeps it as it is: no script,
 * this page's included, can read its bytes back).
 */
import type { Identity } from '../src/signing/signed-api.js';

const DB = 'bsn-console';
const STORE = 'identity';
const CURRENT = 'current';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = work(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

export const saveIdentity = (identity: Identity): Promise<IDBValidKey> => run('readwrite', (s) => s.put(identity, CURRENT));
export const loadIdentity = async (): Promise<Identity | undefined> =>
  (await run<Identity | undefined>('readonly', (s) => s.get(CURRENT))) ?? undefined;
export const forgetIdentity = (): Promise<undefined> => run('readwrite', (s) => s.delete(CURRENT));

import { describe, expect, it } from 'vitest';
import { expirationAt, packTransaction, signingDigest, taposOf, transactionId, unpackTransaction } from './transaction.js';
import { NATIVE_ABI } from './native-abi.js';

const header = { expiration: '2026-12-06T09:05:31', refBlockNum: 692, refBlockPrefix: 1_522_663_544 };
const action = {
  account: 'eosio',
  name: 'setabi',
  authorization: [{ actor: 'alice', permission: 'active' }],
  data: NATIVE_ABI.encodeAction('setabi', { account: 'alice', abi: '00' }),
};

describe('transactions', () => {
  it('TaPoS is the low 16 bits of the block number and bytes 8–11 of the id, little-endian', () => {
    // the node's own answer for block 696: ref_block_prefix 1185756818 for …9236ad46…
    expect(taposOf('00000009f0a2dc919236ad4627b21295394e507699d1aafb11b6a98e813c5a20')).toEqual({
      refBlockNum: 9,
      refBlockPrefix: 1_185_756_818,
    });
    expect(taposOf('0001000a' + '00'.repeat(28)).refBlockNum).toBe(10);
    expect(() => taposOf('00')).toThrow(/32 bytes/);
  });

  it('packs and unpacks to the same transaction; its id and digest are SHA-256 of the bytes', () => {
    const packed = packTransaction({ header, actions: [action] });
    const back = unpackTransaction(packed);
    expect(back.header).toEqual(header);
    expect(back.actions).toHaveLength(1);
    expect(Buffer.from(back.actions[0]!.data).equals(Buffer.from(action.data))).toBe(true);
    expect(back.contextFreeActions).toBe(0);
    expect(transactionId(packed)).toMatch(/^[0-9a-f]{64}$/);
    const chainA = 'aa'.repeat(32);
    const chainB = 'bb'.repeat(32);
    expect(Buffer.from(signingDigest(chainA, packed)).equals(Buffer.from(signingDigest(chainB, packed))), 'the chain id is signed').toBe(
      false,
    );
    expect(transactionId(packTransaction({ header: { ...header, expiration: '2026-12-06T09:05:30' }, actions: [action] }))).not.toBe(
      transactionId(packed),
    );
  });

  it('refuses trailing bytes after a packed transaction', () => {
    const packed = packTransaction({ header, actions: [action] });
    expect(() => unpackTransaction(new Uint8Array([...packed, 0]))).toThrow(/trailing/);
  });

  it('expirations are whole UTC seconds', () => {
    expect(expirationAt(Date.UTC(2026, 11, 6, 9, 5, 31, 999))).toBe('2026-12-06T09:05:31');
  });
});

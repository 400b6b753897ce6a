import { describe, expect, it } from 'vitest';
import { encodePacketCall, toBase64, type Packet } from '@bsn/contract';
import { bytes } from '@bsn/contract/testing';
import { predictAck } from './predict-ack.js';

const packet = (method: string, payload: string): Packet => ({
  v: 1,
  srcChain: 'a',
  srcApp: 'src',
  dstChain: 'b',
  dstApp: 'dst',
  seq: 1,
  method,
  payload,
  timeout: 1,
  grantRef: 'g',
});
const store = new Map([['k', bytes('value')]]);
const live = async (key: string) => store.get(key) ?? null;
const put = (key: string, value: Uint8Array) => packet('kv.put', toBase64(encodePacketCall({ method: 'kv.put', key, value })));

describe('the ack a packet call will get (what the contract decides)', () => {
  it('answers OK, NOT_FOUND and the value as the store holds it', async () => {
    expect(await predictAck(put('k', bytes('v')), live)).toEqual({ status: 'OK', result: '' });
    expect(await predictAck(packet('kv.get', toBase64(bytes('k'))), live)).toEqual({ status: 'OK', result: toBase64(bytes('value')) });
    expect(await predictAck(packet('kv.get', toBase64(bytes('absent'))), live)).toEqual({ status: 'NOT_FOUND', result: '' });
    expect(await predictAck(packet('kv.delete', toBase64(bytes('k'))), live)).toEqual({ status: 'OK', result: '' });
  });

  it('answers INVALID_INPUT for payloads and keys the contract refuses', async () => {
    const invalid = { status: 'INVALID_INPUT', result: '' };
    expect(await predictAck(packet('kv.get', 'aw'), live), 'base64 that is not canonical').toEqual(invalid);
    expect(await predictAck(packet('kv.put', toBase64(Uint8Array.of(0))), live), 'shorter than its length').toEqual(invalid);
    expect(await predictAck(put('k', new Uint8Array()), live), 'an empty value').toEqual(invalid);
    expect(await predictAck(put('k', new Uint8Array(65_537)), live), 'a value over 64 KiB').toEqual(invalid);
    expect(await predictAck(put('x'.repeat(1025), bytes('v')), live), 'a key over 1024 bytes').toEqual(invalid);
    expect(await predictAck(packet('kv.get', toBase64(Uint8Array.of(0x6b, 0))), live), 'a key holding U+0000').toEqual(invalid);
    expect(await predictAck(packet('kv.get', toBase64(Uint8Array.of(0xc0, 0x80))), live), 'an overlong UTF-8 key').toEqual(invalid);
    expect(await predictAck(packet('kv.delete', ''), live), 'an empty key').toEqual(invalid);
  });
});

'use strict';
// The preset methods a packet may call on its target app, executed on the app's key/value
// state in the delivering transaction (payloads as core/contract/src/interchain/packet-call.ts):
//   kv.put     u16 big-endian key length ‖ key (UTF-8) ‖ value   → result empty
//   kv.get     key (UTF-8)                                        → result the value
//   kv.delete  key (UTF-8)                                        → result empty
// With the preset contract's rules: a malformed payload, key or value is an INVALID_INPUT ack,
// a missing key NOT_FOUND. A failing call is answered, never thrown: it is delivered once with
// its error ack. No request id and no kv.* event: the delivery's one event is packet.received.
const { BsnChaincodeError } = require('./errors.js');
const { checkKey, checkValue } = require('./rules.js');
const { dataKey, getJson, putJson } = require('./state.js');

const PACKET_CALL_METHODS = ['kv.put', 'kv.get', 'kv.delete'];

class CallError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function utf8Key(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CallError('INVALID_INPUT', 'the key is not UTF-8');
  }
}

function decode(method, payload) {
  if (method !== 'kv.put') return { key: utf8Key(payload) };
  if (payload.length < 2) throw new CallError('INVALID_INPUT', 'the payload is shorter than its key length');
  const n = payload.readUInt16BE(0);
  if (payload.length < 2 + n) throw new CallError('INVALID_INPUT', 'the payload is shorter than its key length');
  return { key: utf8Key(payload.subarray(2, 2 + n)), value: Buffer.from(payload.subarray(2 + n)) };
}

/** Runs the call on `appId`'s state; answers {status, result (base64)}. */
async function execute(ctx, appId, method, payloadBase64) {
  try {
    const { key, value } = decode(method, Buffer.from(payloadBase64, 'base64'));
    try {
      checkKey(key);
      if (method === 'kv.put') checkValue(value);
    } catch (error) {
      if (error instanceof BsnChaincodeError) throw new CallError(error.code, error.message);
      throw error;
    }
    const dKey = dataKey(appId, key);
    if (method === 'kv.put') {
      await putJson(ctx, dKey, { tx: ctx.stub.getTxID(), v: value.toString('base64') });
      return { status: 'OK', result: '' };
    }
    const envelope = await getJson(ctx, dKey);
    if (!envelope) throw new CallError('NOT_FOUND', `key ${JSON.stringify(key)} does not exist in app ${JSON.stringify(appId)}`);
    if (method === 'kv.get') return { status: 'OK', result: envelope.v };
    await ctx.stub.deleteState(dKey);
    return { status: 'OK', result: '' };
  } catch (error) {
    if (error instanceof CallError) return { status: error.status, result: '' };
    throw error;
  }
}

module.exports = { PACKET_CALL_METHODS, execute };

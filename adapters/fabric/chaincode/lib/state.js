'use strict';
// Where the preset contract keeps things in world state. Every app is a namespace of simple
// keys: app ids cannot contain '/', so `k/<appId>/` of one app is never a prefix of another
// app's keys, and a range scan over it sees that app's keys only, in byte order.
//
//   a/<appId>               the app record (JSON, see preset-kv.js)
//   k/<appId>/<key>         a live value: {"tx": <writing tx id>, "v": <base64 value>}
//   r/<appId>/<requestId>   an executed request id: {"h": <content hash>, "tx": <first tx id>}

const appKey = (appId) => `a/${appId}`;
const dataBase = (appId) => `k/${appId}/`;
const dataKey = (appId, key) => `${dataBase(appId)}${key}`;
const requestKey = (appId, requestId) => `r/${appId}/${requestId}`;

/**
 * The smallest string greater than every string that starts with `s` (UTF-8 byte order is
 * code point order): `s` with its last code point incremented, skipping the surrogate block.
 * The end key of the range scan that lists a prefix.
 */
function successor(s) {
  const points = Array.from(s);
  while (points.length > 0) {
    let next = points.pop().codePointAt(0) + 1;
    if (next === 0xd800) next = 0xe000;
    if (next <= 0x10ffff) {
      points.push(String.fromCodePoint(next));
      return points.join('');
    }
  }
  return '';
}

async function getJson(ctx, key) {
  const bytes = await ctx.stub.getState(key);
  if (!bytes || bytes.length === 0) return undefined;
  return JSON.parse(Buffer.from(bytes).toString('utf8'));
}

async function putJson(ctx, key, value) {
  await ctx.stub.putState(key, Buffer.from(JSON.stringify(value), 'utf8'));
}

/** Seconds/nanos of a protobuf Timestamp (numbers, strings or Longs) as ms since epoch. */
function timestampMs(ts) {
  if (!ts) return 0;
  const seconds = Number(typeof ts.seconds === 'object' && ts.seconds !== null ? ts.seconds.toString() : (ts.seconds ?? 0));
  const nanos = Number(ts.nanos ?? 0);
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

module.exports = { appKey, dataBase, dataKey, requestKey, successor, getJson, putJson, timestampMs };

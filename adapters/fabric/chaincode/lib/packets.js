'use strict';
// Interchain packets sent from an app (the source side of BSN interchain on Fabric).
//
// `sendPacket(appId, fieldsJson)` is run by every endorsing peer: only a member of an active
// (unfrozen) app may send; the seq is assigned here, from world state, per
// (srcApp, dstChain, dstApp) — `s/<appId>/<dstChain>/<dstApp>` holds the last one — so two
// concurrent sends for the same triple read the same counter and Fabric invalidates the later
// one (MVCC_READ_CONFLICT; the adapter endorses it again). The whole packet is then bound in
// what the endorsers sign:
//   - the write `p/<appId>/<dstChain>/<dstApp>/<seq>` → {"commitment","id","tx"}, with the
//     packet id and commitment computed here exactly as core's `packetId()`/`packetCommitment()`
//     (SHA-256 over a domain tag and the RFC 8785 JSON of the packet);
//   - the chaincode event `bsn/<appId>/packet.sent` whose payload is the canonical (RFC 8785)
//     JSON of the whole packet, which a verifier compares byte for byte with the packet it holds.
// None of the names contain '/', so these keys never collide with one another or with the
// app records (`a/`), values (`k/`) and request ids (`r/`) of state.js.
const { createHash } = require('node:crypto');
const { fail } = require('./errors.js');
const { checkId } = require('./rules.js');

/** As core's packet rules (core/src/interchain/packet.ts, core/src/validation/input.ts). */
const CHAIN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const METHOD = /^[A-Za-z_][A-Za-z0-9_.]{0,63}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Largest payload (decoded bytes) a packet may carry, as the Ethereum outbox. */
const MAX_PAYLOAD_BYTES = 65536;
const FIELDS = ['srcChain', 'dstChain', 'dstApp', 'method', 'payload', 'timeout', 'grantRef'];

const PACKET_ID_DOMAIN = 'bsn:packet-id:v1\n';
const PACKET_COMMITMENT_DOMAIN = 'bsn:packet-commitment:v1\n';

/**
 * RFC 8785 JSON of a flat object of strings and safe integers: members sorted by their
 * names' UTF-16 code units (what Array.prototype.sort does), strings and integers as
 * JSON.stringify writes them (which is what RFC 8785 prescribes for both).
 */
function canonical(flat) {
  const names = Object.keys(flat).sort();
  return `{${names.map((n) => `${JSON.stringify(n)}:${JSON.stringify(flat[n])}`).join(',')}}`;
}

const sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

function packetIdOf(p) {
  return sha256(
    PACKET_ID_DOMAIN + canonical({ srcChain: p.srcChain, srcApp: p.srcApp, dstChain: p.dstChain, dstApp: p.dstApp, seq: p.seq }),
  );
}

function commitmentOf(p) {
  return sha256(PACKET_COMMITMENT_DOMAIN, Buffer.from(canonical(p), 'utf8'));
}

const counterKey = (appId, dstChain, dstApp) => `s/${appId}/${dstChain}/${dstApp}`;
const packetKey = (appId, dstChain, dstApp, seq) => `p/${appId}/${dstChain}/${dstApp}/${seq}`;

/** The packet fields a sender gives (no v, srcApp or seq), checked as core checks a packet. */
function checkFields(fieldsJson, txTimeMs) {
  let f;
  try {
    f = JSON.parse(fieldsJson);
  } catch {
    fail('INVALID_INPUT', 'the packet is not JSON', { field: '/packet' });
  }
  if (typeof f !== 'object' || f === null || Array.isArray(f)) fail('INVALID_INPUT', 'the packet must be an object', { field: '/packet' });
  const extra = Object.keys(f).find((k) => !FIELDS.includes(k));
  if (extra !== undefined) fail('INVALID_INPUT', `unknown packet field ${JSON.stringify(extra)}`, { field: `/packet/${extra}` });
  for (const k of ['srcChain', 'dstChain']) {
    if (typeof f[k] !== 'string' || !CHAIN.test(f[k]))
      fail('INVALID_INPUT', `/packet/${k} must be a chain name (lowercase, 1-64 chars)`, { field: `/packet/${k}` });
  }
  checkId(f.dstApp, '/packet/dstApp');
  checkId(f.grantRef, '/packet/grantRef');
  if (typeof f.method !== 'string' || !METHOD.test(f.method))
    fail('INVALID_INPUT', '/packet/method must be an identifier of 1-64 characters', { field: '/packet/method' });
  if (typeof f.payload !== 'string' || !BASE64.test(f.payload))
    fail('INVALID_INPUT', '/packet/payload must be base64', { field: '/packet/payload' });
  if (Buffer.from(f.payload, 'base64').length > MAX_PAYLOAD_BYTES) {
    fail('INVALID_INPUT', `/packet/payload carries more than ${MAX_PAYLOAD_BYTES} bytes`, { field: '/packet/payload' });
  }
  if (!Number.isSafeInteger(f.timeout) || f.timeout <= 0)
    fail('INVALID_INPUT', '/packet/timeout must be a positive ms timestamp', { field: '/packet/timeout' });
  if (f.timeout <= txTimeMs)
    fail('INVALID_INPUT', `/packet/timeout has passed (the transaction is at ${txTimeMs})`, { field: '/packet/timeout', txTime: txTimeMs });
  return f;
}

const PACKET_FIELDS = ['v', 'srcChain', 'srcApp', 'dstChain', 'dstApp', 'seq', 'method', 'payload', 'timeout', 'grantRef'];
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * A whole packet as a relayer hands it to `deliver`/`recordTimeout`/`acknowledge`: every field
 * confined to its alphabet before anything is hashed, since the commitment is built by
 * concatenation and a quote in a field would let two packets share one commitment.
 */
function checkPacket(packetJson) {
  let p;
  try {
    p = JSON.parse(packetJson);
  } catch {
    fail('INVALID_INPUT', 'the packet is not JSON', { field: '/packet' });
  }
  if (typeof p !== 'object' || p === null || Array.isArray(p)) fail('INVALID_INPUT', 'the packet must be an object', { field: '/packet' });
  const extra = Object.keys(p).find((k) => !PACKET_FIELDS.includes(k));
  if (extra !== undefined) fail('INVALID_INPUT', `unknown packet field ${JSON.stringify(extra)}`, { field: `/packet/${extra}` });
  if (p.v !== 1) fail('INVALID_INPUT', '/packet/v must be 1', { field: '/packet/v' });
  for (const k of ['srcChain', 'dstChain']) {
    if (typeof p[k] !== 'string' || !CHAIN.test(p[k]))
      fail('INVALID_INPUT', `/packet/${k} must be a chain name (lowercase, 1-64 chars)`, { field: `/packet/${k}` });
  }
  checkId(p.srcApp, '/packet/srcApp');
  checkId(p.dstApp, '/packet/dstApp');
  checkId(p.grantRef, '/packet/grantRef');
  if (typeof p.method !== 'string' || !METHOD.test(p.method))
    fail('INVALID_INPUT', '/packet/method must be an identifier of 1-64 characters', { field: '/packet/method' });
  if (typeof p.payload !== 'string' || !BASE64.test(p.payload))
    fail('INVALID_INPUT', '/packet/payload must be base64', { field: '/packet/payload' });
  for (const k of ['seq', 'timeout']) {
    if (!Number.isSafeInteger(p[k]) || p[k] < 1 || p[k] > MAX_SAFE)
      fail('INVALID_INPUT', `/packet/${k} must be an integer from 1 to 2^53-1`, { field: `/packet/${k}` });
  }
  const packet = {};
  for (const k of PACKET_FIELDS) packet[k] = p[k];
  return packet;
}

module.exports = {
  MAX_PAYLOAD_BYTES,
  checkPacket,
  PACKET_ID_DOMAIN,
  PACKET_COMMITMENT_DOMAIN,
  canonical,
  packetIdOf,
  commitmentOf,
  counterKey,
  packetKey,
  checkFields,
};

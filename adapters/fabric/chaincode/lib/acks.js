'use strict';
// Acks and receipts of delivered packets (docs/interchain-delivery.md):
//   ack            {commitment, packetId, result, status}, RFC 8785 JSON (the packet.received event payload)
//   ack commitment SHA-256("bsn:ack-commitment:v1\n" ‖ that JSON), what `ack` attestations sign
//   d/<packetId>   the target's receipt, written once: {commitment, packetId, result, state:'delivered', status, tx}
//                  or {commitment, packetId, state:'timed-out', tx}
//   c/<srcApp>/<dstChain>/<dstApp>/<seq>   the source's close of a packet it sent, written once:
//                  {commitment, packetId, result, state:'acknowledged', status, tx} or {…, state:'timed-out', tx}
const { createHash } = require('node:crypto');
const { fail } = require('./errors.js');
const { canonical } = require('./packets.js');

const ACK_DOMAIN = 'bsn:ack-commitment:v1\n';
const ACK_STATUSES = ['OK', 'INVALID_INPUT', 'NOT_FOUND', 'CONFLICT', 'REJECTED_BY_CHAIN', 'UNAUTHORIZED'];
const ACK_FIELDS = ['packetId', 'commitment', 'status', 'result'];
const HEX32 = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const receiptKey = (packetId) => `d/${packetId}`;
const closeKey = (p) => `c/${p.srcApp}/${p.dstChain}/${p.dstApp}/${p.seq}`;

const ackOf = ({ packetId, commitment, status, result }) => ({ packetId, commitment, status, result });
const ackJson = (ack) => canonical(ackOf(ack));
const ackCommitmentOf = (ack) => createHash('sha256').update(ACK_DOMAIN).update(ackJson(ack), 'utf8').digest('hex');

function checkAck(ackText) {
  let a;
  try {
    a = JSON.parse(ackText);
  } catch {
    fail('INVALID_INPUT', 'the ack is not JSON', { field: '/ack' });
  }
  if (typeof a !== 'object' || a === null || Array.isArray(a)) fail('INVALID_INPUT', 'the ack must be an object', { field: '/ack' });
  const extra = Object.keys(a).find((k) => !ACK_FIELDS.includes(k));
  if (extra !== undefined) fail('INVALID_INPUT', `unknown ack field ${JSON.stringify(extra)}`, { field: `/ack/${extra}` });
  for (const k of ['packetId', 'commitment'])
    if (typeof a[k] !== 'string' || !HEX32.test(a[k]))
      fail('INVALID_INPUT', `/ack/${k} must be 64 lowercase hex digits`, { field: `/ack/${k}` });
  if (!ACK_STATUSES.includes(a.status))
    fail('INVALID_INPUT', `/ack/status must be one of ${ACK_STATUSES.join(', ')}`, { field: '/ack/status' });
  if (typeof a.result !== 'string' || !BASE64.test(a.result)) fail('INVALID_INPUT', '/ack/result must be base64', { field: '/ack/result' });
  return ackOf(a);
}

module.exports = { ACK_STATUSES, receiptKey, closeKey, ackOf, ackJson, ackCommitmentOf, checkAck };

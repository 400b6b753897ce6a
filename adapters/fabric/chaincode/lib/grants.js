'use strict';
// One side of an app-to-app grant, kept by the app's chain (docs/interchain-delivery.md):
//   g/<appId>/outgoing/<peerChain>/<peerApp>   the app may send packets to the peer
//   g/<appId>/incoming/<peerChain>/<peerApp>   the peer may call the app
// → {"expiresAt","methods","ref","revoked"}. Written only by the app's admin (never by a
// packet: setGrant is no packet-callable method); re-checked when a packet is sent and when
// one is delivered, by the transaction's clock.
const { fail } = require('./errors.js');
const { checkId } = require('./rules.js');
const { getJson, putJson } = require('./state.js');

const CHAIN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const METHOD = /^[A-Za-z_][A-Za-z0-9_.]{0,63}$/;
const DIRECTIONS = ['outgoing', 'incoming'];
const FIELDS = ['direction', 'peerChain', 'peerApp', 'ref', 'methods', 'expiresAt', 'revoked'];
const MAX_METHODS = 32;

const grantKey = (appId, direction, peerChain, peerApp) => `g/${appId}/${direction}/${peerChain}/${peerApp}`;

function checkGrant(grantJson) {
  let g;
  try {
    g = JSON.parse(grantJson);
  } catch {
    fail('INVALID_INPUT', 'the grant is not JSON', { field: '/grant' });
  }
  if (typeof g !== 'object' || g === null || Array.isArray(g)) fail('INVALID_INPUT', 'the grant must be an object', { field: '/grant' });
  const extra = Object.keys(g).find((k) => !FIELDS.includes(k));
  if (extra !== undefined) fail('INVALID_INPUT', `unknown grant field ${JSON.stringify(extra)}`, { field: `/grant/${extra}` });
  if (!DIRECTIONS.includes(g.direction))
    fail('INVALID_INPUT', '/grant/direction must be outgoing or incoming', { field: '/grant/direction' });
  if (typeof g.peerChain !== 'string' || !CHAIN.test(g.peerChain))
    fail('INVALID_INPUT', '/grant/peerChain must be a chain name', { field: '/grant/peerChain' });
  checkId(g.peerApp, '/grant/peerApp');
  checkId(g.ref, '/grant/ref');
  if (!Array.isArray(g.methods) || g.methods.length === 0 || g.methods.length > MAX_METHODS)
    fail('INVALID_INPUT', `/grant/methods must list 1 to ${MAX_METHODS} methods`, { field: '/grant/methods' });
  g.methods.forEach((m, i) => {
    if (typeof m !== 'string' || !METHOD.test(m))
      fail('INVALID_INPUT', `/grant/methods/${i} must be a method name`, { field: `/grant/methods/${i}` });
    if (g.methods.indexOf(m) !== i) fail('INVALID_INPUT', `/grant/methods/${i} is listed twice`, { field: `/grant/methods/${i}` });
  });
  if (!Number.isSafeInteger(g.expiresAt) || g.expiresAt < 0)
    fail('INVALID_INPUT', '/grant/expiresAt must be a ms timestamp, 0 for never', { field: '/grant/expiresAt' });
  if (typeof g.revoked !== 'boolean') fail('INVALID_INPUT', '/grant/revoked must be true or false', { field: '/grant/revoked' });
  return g;
}

async function writeGrant(ctx, appId, g) {
  const record = { expiresAt: g.expiresAt, methods: g.methods, ref: g.ref, revoked: g.revoked };
  await putJson(ctx, grantKey(appId, g.direction, g.peerChain, g.peerApp), record);
  return { direction: g.direction, peerChain: g.peerChain, peerApp: g.peerApp, ...record };
}

/** Why the grant does not allow `method` at `txTime` (absent, revoked, expired, method not listed), or undefined. */
function grantFault(grant, method, txTime) {
  if (!grant) return 'no grant';
  if (grant.revoked) return 'the grant is revoked';
  if (grant.expiresAt !== 0 && txTime >= grant.expiresAt) return `the grant expired at ${grant.expiresAt}`;
  if (!grant.methods.includes(method)) return `the grant does not list ${method}`;
  return undefined;
}

/** The source's side: `appId` may send `packet` (its grantRef naming this grant) now. */
async function checkOutgoing(ctx, appId, packet, txTime) {
  const grant = await getJson(ctx, grantKey(appId, 'outgoing', packet.dstChain, packet.dstApp));
  const fault =
    grantFault(grant, packet.method, txTime) ?? (grant.ref !== packet.grantRef ? `the packet's grantRef is not ${grant.ref}` : undefined);
  if (fault)
    fail('UNAUTHORIZED', `app ${appId} may not send ${packet.method} to ${packet.dstChain}/${packet.dstApp}: ${fault}`, {
      grant: 'outgoing',
    });
}

/** The target's side: the packet's source may call `packet.method` on `packet.dstApp` now. */
async function checkIncoming(ctx, packet, txTime) {
  const grant = await getJson(ctx, grantKey(packet.dstApp, 'incoming', packet.srcChain, packet.srcApp));
  const fault = grantFault(grant, packet.method, txTime);
  if (fault)
    fail('UNAUTHORIZED', `app ${packet.dstApp} does not let ${packet.srcChain}/${packet.srcApp} call ${packet.method}: ${fault}`, {
      grant: 'incoming',
    });
}

module.exports = { grantKey, checkGrant, writeGrant, checkOutgoing, checkIncoming };

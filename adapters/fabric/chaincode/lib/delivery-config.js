'use strict';
// The channel's interchain delivery configuration: the chain's own name (the `dstChain` of the
// packets it accepts, the `srcChain` of those it sends once configured) and the pinned
// attesters. Only an admin of an org the channel accepts may set it (the peer checked the
// creator's certificate against the channel's MSPs; NodeOUs make OU=admin that org's admin
// role); the name is fixed by the first configuration.
const { X509Certificate } = require('node:crypto');
const { fail } = require('./errors.js');
const { getJson, putJson, timestampMs } = require('./state.js');
const { attestersFault } = require('./attestations.js');

const CONFIG_KEY = 'i/delivery';
const CHAIN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** How far an endorser lets a transaction's timestamp (the client's choice) stray from its own clock. */
const CLOCK_WINDOW_MS = 30_000;

async function deliveryConfig(ctx) {
  return getJson(ctx, CONFIG_KEY);
}

/** The configuration, or UNAUTHORIZED: nothing is delivered or acknowledged before attesters are pinned. */
async function requireConfig(ctx) {
  const config = await deliveryConfig(ctx);
  if (!config) fail('UNAUTHORIZED', 'interchain delivery is not configured on this channel: no attesters are pinned');
  return config;
}

function creatorIsAdmin(ctx) {
  try {
    const pem = Buffer.from(ctx.clientIdentity.getIDBytes()).toString('utf8');
    return new X509Certificate(pem).subject.split('\n').includes('OU=admin');
  } catch {
    return false;
  }
}

async function configure(ctx, chain, attestersJson) {
  if (!creatorIsAdmin(ctx))
    fail('UNAUTHORIZED', 'only an admin of a member org (OU=admin) configures interchain delivery', {
      mspId: ctx.clientIdentity.getMSPID(),
    });
  if (typeof chain !== 'string' || !CHAIN.test(chain))
    fail('INVALID_INPUT', '/chain must be a chain name (lowercase, 1-64 chars)', { field: '/chain' });
  let a;
  try {
    a = JSON.parse(attestersJson);
  } catch {
    fail('INVALID_INPUT', 'the attesters are not JSON', { field: '/attesters' });
  }
  if (typeof a !== 'object' || a === null || Array.isArray(a))
    fail('INVALID_INPUT', 'the attesters must be an object', { field: '/attesters' });
  const extra = Object.keys(a).find((k) => k !== 'publicKeys' && k !== 'threshold');
  if (extra !== undefined) fail('INVALID_INPUT', `unknown field ${JSON.stringify(extra)}`, { field: `/attesters/${extra}` });
  const fault = attestersFault(a.publicKeys, a.threshold);
  if (fault) fail('INVALID_INPUT', `the attesters are unsound: ${fault.why}`, { field: `/attesters${fault.field}` });
  const earlier = await deliveryConfig(ctx);
  if (earlier && earlier.chain !== chain)
    fail('CONFLICT', `this channel's chain name is ${earlier.chain}, fixed by its first configuration`, { chain: earlier.chain });
  const config = { chain, publicKeys: a.publicKeys, threshold: a.threshold, tx: ctx.stub.getTxID() };
  await putJson(ctx, CONFIG_KEY, config);
  return config;
}

/** The transaction's time (ms), refused unless within CLOCK_WINDOW_MS of this endorser's clock. */
function checkClock(ctx) {
  const txTime = timestampMs(ctx.stub.getTxTimestamp());
  const now = Date.now();
  if (Math.abs(txTime - now) > CLOCK_WINDOW_MS)
    fail(
      'REJECTED_BY_CHAIN',
      `the transaction's timestamp ${txTime} is more than ${CLOCK_WINDOW_MS} ms from this endorser's clock ${now}`,
      {
        txTime,
        endorserTime: now,
      },
    );
  return txTime;
}

module.exports = { CLOCK_WINDOW_MS, CONFIG_KEY, deliveryConfig, requireConfig, configure, checkClock };

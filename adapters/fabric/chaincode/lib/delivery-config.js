'use strict';
// The channel's interchain delivery configuration: the chain's own name (the `dstChain` of the
// packets it accepts, the `srcChain` of those it sends once configured) and the pinned
// attesters. Who may set it: an admin (NodeOU OU=admin) of a member org of the apps it serves.
//  - The shared channel serves every shared app: an admin of any of its application orgs. Fabric
//    admits only those as proposal creators (the `peer/Propose` ACL is /Channel/Application/Writers,
//    so the orderer org's admin never reaches this code); here OU=admin is required on top.
//  - A dedicated app's channel (`app-` + 40 hex digits of SHA-256 over the app id) serves that
//    app alone: an admin of an org that holds the app's admin or one of its members. Another org
//    the channel carries (its config is copied from the shared channel's) is refused.
// The name is fixed by the first configuration.
const { X509Certificate, createHash } = require('node:crypto');
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

const DEDICATED_CHANNEL = /^app-[0-9a-f]{40}$/;
const dedicatedChannelOf = (appId) => `app-${createHash('sha256').update(appId, 'utf8').digest('hex').slice(0, 40)}`;
/** Bounds the scan for a dedicated channel's app: records others wrote there directly do not match its name. */
const MAX_SCAN = 1000;

/**
 * The app whose own channel this is, or undefined on a channel that is not a dedicated app's.
 * Only the record whose id hashes to the channel's name counts: any other app a channel writer
 * created here directly cannot claim the channel.
 */
async function channelApp(ctx) {
  const channel = ctx.stub.getChannelID();
  if (!DEDICATED_CHANNEL.test(channel)) return undefined;
  const iterator = await ctx.stub.getStateByRange('a/', 'a0');
  try {
    for (let seen = 0; seen < MAX_SCAN; seen++) {
      const step = await iterator.next();
      if (step.value) {
        const app = JSON.parse(Buffer.from(step.value.value).toString('utf8'));
        if (!app.directory && app.placement === 'dedicated' && dedicatedChannelOf(app.appId) === channel) return app;
      }
      if (step.done) break;
    }
  } finally {
    await iterator.close();
  }
  return fail('UNAUTHORIZED', `channel ${channel} is a dedicated app's channel and its app does not exist here yet: nobody configures it`, {
    channel,
  });
}

/** The MSP ids of an app's admin and members (account ids are `<mspId>:<key hash>`). */
const memberOrgs = (app) => [...new Set([app.admin, ...app.members].map((account) => account.slice(0, account.lastIndexOf(':'))))];

/** Refuses unless the creator may configure this channel's delivery (see the top of this file). */
async function requireConfigurer(ctx) {
  const mspId = ctx.clientIdentity.getMSPID();
  if (!creatorIsAdmin(ctx)) fail('UNAUTHORIZED', 'only an admin of a member org (OU=admin) configures interchain delivery', { mspId });
  const app = await channelApp(ctx);
  if (app === undefined) return;
  const orgs = memberOrgs(app);
  if (!orgs.includes(mspId))
    fail(
      'UNAUTHORIZED',
      `only an admin of a member org of app ${app.appId} (${orgs.join(', ')}) configures its channel's delivery; ${mspId} holds no member of it`,
      { mspId, appId: app.appId, orgs },
    );
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
  await requireConfigurer(ctx);
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

module.exports = { CLOCK_WINDOW_MS, CONFIG_KEY, dedicatedChannelOf, memberOrgs, deliveryConfig, requireConfig, configure, checkClock };

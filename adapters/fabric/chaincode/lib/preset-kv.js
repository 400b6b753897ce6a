'use strict';
// The BSN preset data contract (预制链码) for Hyperledger Fabric. One chaincode serves many
// apps: each app is a namespace of keys (see state.js) with its own admin, members, frozen
// flag and contract version, so apps sharing the channel stay isolated.
//
// Transaction functions (arguments are strings unless said otherwise; results are UTF-8 JSON
// except where noted):
//   info()                                   → {contract, version, limits}
//   createApp(specJson)                      → app     specJson: {appId, name, mode, placement, channel?, members[]}
//                                              (dedicated on another channel: a directory entry {directory: true, channel, admin})
//   getApp(appId)                            → app
//   upgradeApp(appId, kind) / addMember(appId, account) / removeMember(appId, account)
//   freeze(appId) / unfreeze(appId)          → app     (admin only)
//   put(appId, requestId, key, value bytes)  → {txId, duplicate}
//   delete(appId, requestId, key)            → {txId, duplicate}
//   invokeSigned(authJson, signatureBase64)  → {txId, duplicate}   a put/delete signed by a user key
//   get(appId, key)                          → base64 of the value (NOT_FOUND when absent)
//   entry(appId, key)                        → {key, value(base64), txId} or null
//   history(appId, key)                      → [{txId, timestamp, value(base64)|null}], oldest first
//   list(appId, prefix, after, limit)        → {entries: [{key, value, txId}], more}
//   sendPacket(appId, fieldsJson)            → the packet (RFC 8785 JSON)   members of an active app only
//   nextPacketSeq(appId, dstChain, dstApp)   → the seq the next packet to (dstChain, dstApp) gets
//   getPacket(appId, dstChain, dstApp, seq)  → {commitment, id, tx} or null
// (Interchain delivery — grants, deliver, acks, timeouts — is the contract BsnInterchain,
// interchain-contract.js; once it is configured, sendPacket also checks the outgoing grant.)
// Every write emits one chaincode event named `bsn/<appId>/kv.put` or `bsn/<appId>/kv.delete`
// whose payload is the key's UTF-8 bytes (Fabric allows one event per transaction); a packet
// sent emits `bsn/<appId>/packet.sent` with the canonical packet as payload (see packets.js).
const { createHash, verify } = require('node:crypto');
const { Contract } = require('fabric-contract-api');
const { fail } = require('./errors.js');
const { accountId, creatorAccount, publicKeyFromHex } = require('./accounts.js');
const { LIMITS, MODES, PLACEMENTS, checkAccount, checkId, checkKey, checkLimit, checkPrefix, checkValue } = require('./rules.js');
const { appKey, dataBase, dataKey, requestKey, successor, getJson, putJson, timestampMs } = require('./state.js');
const packets = require('./packets.js');
const { loadApp, loadAppAsAdmin } = require('./apps.js');
const { checkOutgoing } = require('./grants.js');
const { deliveryConfig, checkClock } = require('./delivery-config.js');

const CONTRACT = 'bsn-preset-kv';
const CONTRACT_VERSION = '1.2.0';
/** Fabric's channel name rule. */
const CHANNEL = /^[a-z][a-z0-9.-]{0,248}$/;
/** Prefix of the bytes a user key signs in user-key mode (the digest is SHA-256 of prefix ‖ authJson). */
const USER_KEY_DOMAIN = 'bsn:fabric:user-key:v1\n';

/**
 * Walks a shim query iterator (`next()` → {value, done}) until `visit` returns false or it
 * ends, and closes it either way.
 */
async function each(iterator, visit) {
  try {
    for (;;) {
      const step = await iterator.next();
      if (step.value && visit(step.value) === false) return;
      if (step.done) return;
    }
  } finally {
    await iterator.close();
  }
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

class PresetKvContract extends Contract {
  constructor() {
    super('BsnPresetKv');
  }

  async info() {
    return JSON.stringify({ contract: CONTRACT, version: CONTRACT_VERSION, limits: LIMITS });
  }

  // ------------------------------------------------------------------ apps

  async createApp(ctx, specJson) {
    let spec;
    try {
      spec = JSON.parse(specJson);
    } catch {
      fail('INVALID_INPUT', 'the app spec is not JSON', { field: '' });
    }
    if (typeof spec !== 'object' || spec === null) fail('INVALID_INPUT', 'the app spec is an object', { field: '' });
    const appId = checkId(spec.appId, '/appId');
    if (typeof spec.name !== 'string' || spec.name.length === 0 || spec.name.length > 128)
      fail('INVALID_INPUT', '/name must be 1-128 characters', { field: '/name' });
    if (!MODES.includes(spec.mode)) fail('INVALID_INPUT', `/mode must be one of ${MODES.join(', ')}`, { field: '/mode' });
    if (!PLACEMENTS.includes(spec.placement))
      fail('INVALID_INPUT', `/placement must be one of ${PLACEMENTS.join(', ')}`, { field: '/placement' });
    let channel;
    if (spec.placement === 'dedicated') {
      channel = spec.channel;
      if (typeof channel !== 'string' || !CHANNEL.test(channel))
        fail('INVALID_INPUT', '/channel must be a Fabric channel name', { field: '/channel' });
    }
    if (!Array.isArray(spec.members) || spec.members.length > 1000)
      fail('INVALID_INPUT', '/members must be an array of at most 1000 account ids', { field: '/members' });
    spec.members.forEach((m, i) => checkAccount(m, `/members/${i}`));
    if (await getJson(ctx, appKey(appId))) fail('CONFLICT', `app ${JSON.stringify(appId)} exists already`, { appId });
    const admin = creatorAccount(ctx);
    // A dedicated app created on another channel than its own is only a directory entry here
    // (where it lives, who reserved it): no member, no data, every app operation refused.
    if (channel !== undefined && channel !== ctx.stub.getChannelID()) {
      const entry = { appId, placement: 'dedicated', channel, directory: true, admin, createdTx: ctx.stub.getTxID() };
      await putJson(ctx, appKey(appId), entry);
      return JSON.stringify(entry);
    }
    const app = {
      appId,
      name: spec.name,
      mode: spec.mode,
      placement: spec.placement,
      ...(channel !== undefined && { channel }),
      state: 'active',
      admin,
      members: [...new Set([admin, ...spec.members])],
      contract: { kind: 'preset-kv', version: 1 },
      createdTx: ctx.stub.getTxID(),
    };
    await putJson(ctx, appKey(appId), app);
    return JSON.stringify(app);
  }

  /** The app record, or the directory entry of a dedicated app that lives on another channel. */
  async getApp(ctx, appId) {
    checkId(appId, '/app/appId');
    const app = await getJson(ctx, appKey(appId));
    if (!app) fail('NOT_FOUND', `app ${JSON.stringify(appId)} does not exist`, { appId });
    return JSON.stringify(app);
  }

  async upgradeApp(ctx, appId, kind) {
    const app = await this._asAdmin(ctx, appId, 'upgrade the contract');
    if (kind !== 'preset-kv') {
      fail('INVALID_INPUT', `an app of this chaincode runs the preset contract; ${JSON.stringify(kind)} cannot replace it`, {
        field: '/contract/kind',
      });
    }
    app.contract = { kind: 'preset-kv', version: app.contract.version + 1 };
    await putJson(ctx, appKey(app.appId), app);
    return JSON.stringify(app);
  }

  async addMember(ctx, appId, account) {
    const app = await this._asAdmin(ctx, appId, 'add members');
    checkAccount(account, '/member/id');
    if (!app.members.includes(account)) {
      app.members.push(account);
      await putJson(ctx, appKey(app.appId), app);
    }
    return JSON.stringify(app);
  }

  async removeMember(ctx, appId, account) {
    const app = await this._asAdmin(ctx, appId, 'remove members');
    checkAccount(account, '/member/id');
    if (account === app.admin) fail('CONFLICT', 'the admin is always a member and cannot be removed', { admin: app.admin });
    if (app.members.includes(account)) {
      app.members = app.members.filter((m) => m !== account);
      await putJson(ctx, appKey(app.appId), app);
    }
    return JSON.stringify(app);
  }

  async freeze(ctx, appId) {
    return this._setState(ctx, appId, 'frozen');
  }

  async unfreeze(ctx, appId) {
    return this._setState(ctx, appId, 'active');
  }

  // ------------------------------------------------------------------ key/value writes

  // eslint-disable-next-line no-unused-vars
  async put(ctx, appId, requestId, key, valueAsText) {
    // The contract API hands arguments over as UTF-8 strings; the value is bytes, so it is
    // taken from the raw arguments (function name first), not from `valueAsText`.
    const value = ctx.stub.getBufferArgs()[4];
    return JSON.stringify(await this._write(ctx, creatorAccount(ctx), { method: 'put', appId, requestId, key, value }));
  }

  async delete(ctx, appId, requestId, key) {
    return JSON.stringify(await this._write(ctx, creatorAccount(ctx), { method: 'delete', appId, requestId, key }));
  }

  /**
   * User-key mode: a put or delete authorised by the signature of a user's P-256 key over
   * SHA-256(USER_KEY_DOMAIN ‖ authJson), relayed by any client of the channel. The writer is
   * the account of that key in the relaying org (`<relay mspId>:<key hash>`), exactly the
   * account the same key has when it signs transactions itself.
   */
  async invokeSigned(ctx, authJson, signatureBase64) {
    let auth;
    try {
      auth = JSON.parse(authJson);
    } catch {
      fail('INVALID_INPUT', 'the authorisation is not JSON', { field: '/payload' });
    }
    if (typeof auth !== 'object' || auth === null || auth.v !== 1)
      fail('INVALID_INPUT', 'unknown authorisation version', { field: '/payload' });
    const { point, key } = publicKeyFromHex(auth.publicKey, '/publicKey');
    const signature = Buffer.from(String(signatureBase64), 'base64');
    let valid = false;
    try {
      valid =
        signature.length === 64 &&
        verify('sha256', Buffer.from(USER_KEY_DOMAIN + authJson, 'utf8'), { key, dsaEncoding: 'ieee-p1363' }, signature);
    } catch {
      valid = false;
    }
    if (!valid)
      fail('UNAUTHORIZED', 'the user signature does not verify against the public key of the authorisation', { publicKey: auth.publicKey });
    const txTime = timestampMs(ctx.stub.getTxTimestamp());
    if (typeof auth.expiresAt !== 'number' || txTime > auth.expiresAt)
      fail('UNAUTHORIZED', 'the authorisation has expired', { expiresAt: auth.expiresAt, txTime });
    const app = await this._app(ctx, auth.app);
    if (auth.appTx !== app.createdTx)
      fail('UNAUTHORIZED', 'the authorisation was signed for another instance of the app', { appTx: auth.appTx });
    if (auth.method !== 'put' && auth.method !== 'delete') fail('INVALID_INPUT', 'user-key mode signs put or delete', { field: '/method' });
    let value;
    if (auth.method === 'put') {
      if (typeof auth.value !== 'string') fail('INVALID_INPUT', 'a put carries its value (base64)', { field: '/value' });
      value = Buffer.from(auth.value, 'base64');
    }
    const actor = accountId(ctx.clientIdentity.getMSPID(), point);
    return JSON.stringify(
      await this._write(ctx, actor, { method: auth.method, appId: auth.app, requestId: auth.requestId, key: auth.key, value }),
    );
  }

  // ------------------------------------------------------------------ key/value reads

  async get(ctx, appId, key) {
    await this._app(ctx, appId);
    checkKey(key);
    const envelope = await getJson(ctx, dataKey(appId, key));
    if (!envelope) fail('NOT_FOUND', `key ${JSON.stringify(key)} does not exist in app ${JSON.stringify(appId)}`);
    return envelope.v;
  }

  async entry(ctx, appId, key) {
    await this._app(ctx, appId);
    checkKey(key);
    const envelope = await getJson(ctx, dataKey(appId, key));
    return JSON.stringify(envelope ? { key, value: envelope.v, txId: envelope.tx } : null);
  }

  async history(ctx, appId, key) {
    await this._app(ctx, appId);
    checkKey(key);
    const entries = [];
    await each(await ctx.stub.getHistoryForKey(dataKey(appId, key)), (mod) => {
      let value = null;
      if (!mod.isDelete) value = JSON.parse(Buffer.from(mod.value).toString('utf8')).v;
      entries.push({ txId: mod.txId, timestamp: timestampMs(mod.timestamp), value });
    });
    // Fabric 2.x returns a key's history newest first.
    return JSON.stringify(entries.reverse());
  }

  async list(ctx, appId, prefix, after, limit) {
    await this._app(ctx, appId);
    checkPrefix(prefix);
    const max = checkLimit(limit);
    if (after !== '') {
      checkKey(after, '/cursor');
      if (!after.startsWith(prefix)) fail('INVALID_INPUT', 'the cursor does not belong to this prefix', { field: '/cursor' });
    }
    const base = dataBase(appId);
    // Keys never hold U+0000, so `after` + U+0000 is the first key after `after`.
    const start = after === '' ? base + prefix : `${base}${after}\u0000`;
    const end = successor(base + prefix);
    const entries = [];
    let more = false;
    await each(await ctx.stub.getStateByRange(start, end), (kv) => {
      if (entries.length === max) {
        more = true;
        return false;
      }
      const envelope = JSON.parse(Buffer.from(kv.value).toString('utf8'));
      entries.push({ key: kv.key.slice(base.length), value: envelope.v, txId: envelope.tx });
      return true;
    });
    return JSON.stringify({ entries, more });
  }

  // ------------------------------------------------------------------ interchain

  /**
   * Sends a packet from `appId` (see packets.js): only a member of the app, and not while it
   * is frozen; the seq is the next one for (appId, dstChain, dstApp) in world state; the
   * packet id and commitment are written under `p/…/<seq>` and the canonical packet is the
   * event payload, so the endorsements cover all of it.
   */
  async sendPacket(ctx, appId, fieldsJson) {
    const app = await this._app(ctx, appId);
    const fields = packets.checkFields(fieldsJson, timestampMs(ctx.stub.getTxTimestamp()));
    const actor = creatorAccount(ctx);
    if (app.state === 'frozen') fail('UNAUTHORIZED', `app ${JSON.stringify(appId)} is frozen: it sends no packets`);
    if (!app.members.includes(actor)) fail('UNAUTHORIZED', `${actor} is not a member of app ${JSON.stringify(appId)}`, { account: actor });
    // Once delivery is configured, packets leave only under the app's outgoing grant (re-checked
    // by the target at delivery), from this chain's configured name, by an endorser-bounded clock.
    const config = await deliveryConfig(ctx);
    if (config) {
      const txTime = checkClock(ctx);
      if (fields.srcChain !== config.chain)
        fail('INVALID_INPUT', `/packet/srcChain must be this chain, ${config.chain}`, { field: '/packet/srcChain' });
      await checkOutgoing(ctx, app.appId, fields, txTime);
    }
    const cKey = packets.counterKey(app.appId, fields.dstChain, fields.dstApp);
    const last = await getJson(ctx, cKey);
    const seq = (last ? last.seq : 0) + 1;
    const packet = {
      v: 1,
      srcChain: fields.srcChain,
      srcApp: app.appId,
      dstChain: fields.dstChain,
      dstApp: fields.dstApp,
      seq,
      method: fields.method,
      payload: fields.payload,
      timeout: fields.timeout,
      grantRef: fields.grantRef,
    };
    const txId = ctx.stub.getTxID();
    await putJson(ctx, cKey, { seq });
    await ctx.stub.putState(
      packets.packetKey(app.appId, packet.dstChain, packet.dstApp, seq),
      Buffer.from(packets.canonical({ commitment: packets.commitmentOf(packet), id: packets.packetIdOf(packet), tx: txId }), 'utf8'),
    );
    const bytes = Buffer.from(packets.canonical(packet), 'utf8');
    ctx.stub.setEvent(`bsn/${app.appId}/packet.sent`, bytes);
    return bytes.toString('utf8');
  }

  async nextPacketSeq(ctx, appId, dstChain, dstApp) {
    await this._app(ctx, appId);
    checkId(dstApp, '/dstApp');
    const last = await getJson(ctx, packets.counterKey(appId, String(dstChain), dstApp));
    return JSON.stringify((last ? last.seq : 0) + 1);
  }

  async getPacket(ctx, appId, dstChain, dstApp, seq) {
    await this._app(ctx, appId);
    checkId(dstApp, '/dstApp');
    if (!/^[1-9][0-9]{0,15}$/.test(String(seq))) fail('INVALID_INPUT', '/seq must be an integer ≥ 1', { field: '/seq' });
    return JSON.stringify((await getJson(ctx, packets.packetKey(appId, String(dstChain), dstApp, Number(seq)))) ?? null);
  }

  // ------------------------------------------------------------------ internals

  async _app(ctx, appId) {
    return loadApp(ctx, appId);
  }

  async _asAdmin(ctx, appId, what) {
    return loadAppAsAdmin(ctx, appId, what);
  }

  async _setState(ctx, appId, state) {
    const app = await this._asAdmin(ctx, appId, state === 'frozen' ? 'freeze the app' : 'unfreeze the app');
    if (app.state !== state) {
      app.state = state;
      await putJson(ctx, appKey(app.appId), app);
    }
    return JSON.stringify(app);
  }

  /**
   * A put or delete by `actor`. Order of checks: the app exists; the request id was not used
   * (same content: the first transaction's id, nothing written; other content: CONFLICT) —
   * checked before membership and freezing so a repeated request still answers with its
   * first transaction; then the app is active and the actor a member; then the key exists
   * (delete). The request id is recorded in the same transaction as the write.
   */
  async _write(ctx, actor, { method, appId, requestId, key, value }) {
    const app = await this._app(ctx, appId);
    checkId(requestId, '/requestId');
    checkKey(key);
    if (method === 'put') checkValue(value);
    const hash = sha256(JSON.stringify([actor, method, key, method === 'put' ? value.toString('base64') : null]));
    const rKey = requestKey(appId, requestId);
    const earlier = await getJson(ctx, rKey);
    if (earlier) {
      if (earlier.h === hash) return { txId: earlier.tx, duplicate: true };
      fail('CONFLICT', `request id ${JSON.stringify(requestId)} was already used for a different request (tx ${earlier.tx})`, {
        txId: earlier.tx,
      });
    }
    if (app.state === 'frozen') fail('UNAUTHORIZED', `app ${JSON.stringify(appId)} is frozen: writes are refused`);
    if (!app.members.includes(actor)) fail('UNAUTHORIZED', `${actor} is not a member of app ${JSON.stringify(appId)}`, { account: actor });
    const txId = ctx.stub.getTxID();
    const dKey = dataKey(appId, key);
    if (method === 'put') {
      await putJson(ctx, dKey, { tx: txId, v: value.toString('base64') });
    } else {
      const existing = await ctx.stub.getState(dKey);
      if (!existing || existing.length === 0)
        fail('NOT_FOUND', `key ${JSON.stringify(key)} does not exist in app ${JSON.stringify(appId)}`);
      await ctx.stub.deleteState(dKey);
    }
    await putJson(ctx, rKey, { h: hash, tx: txId });
    ctx.stub.setEvent(`bsn/${appId}/kv.${method}`, Buffer.from(key, 'utf8'));
    return { txId, duplicate: false };
  }
}

module.exports = { PresetKvContract, CONTRACT, CONTRACT_VERSION, USER_KEY_DOMAIN };

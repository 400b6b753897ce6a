/**
 * The interchain calls API: an app member sends a call to an app on another chain (checked
 * against the grant both owners gave, then emitted on the source chain under the member's own
 * hosted key: only members may send), and follows it — sent → delivered → acknowledged, or
 * timed-out → closed — with the evidence and transactions that moved it.
 */
import type { InterchainCall } from './call.js';
import type { CallStore } from './call-store.js';
import { InvalidInputError, type PacketInput } from '@bsn/contract';
import type { Caller } from '../auth/authenticator.js';
import { str, type Body } from '../body.js';
import { ApiError, invalid, notFound, unauthorized } from '../errors.js';
import { grantPeerKey, localCode } from '../app-codes.js';
import { grantAllows, type Registry } from '../registry/registry.js';
import type { Tenancy } from '../tenancy.js';
import { grantRef } from './grant-sync.js';
import { newCall } from './relayer.js';

const CHAIN_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const PEER_RE = /^([A-Za-z0-9._-]{1,64}:)?[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Longest a call may wait for delivery. */
const MAX_TIMEOUT_MS = 7 * 24 * 3600_000;

export type CallJson = InterchainCall & { app?: string };

export class InterchainCalls {
  constructor(
    private readonly registry: Registry,
    private readonly tenancy: Tenancy,
    private readonly store: CallStore,
    /** Starts relaying a call just sent (the relayer's loop would find it too). */
    private readonly relay: (packetId: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  async send(caller: Caller, code: string, body: Body): Promise<CallJson> {
    const { app, network } = await this.tenancy.memberApp(caller, code);
    const dstChain = str(body, 'dstChain', { required: true, re: CHAIN_RE, what: 'must be a chain name' })!;
    const dstApp = grantPeerKey(
      caller.user.portal,
      str(body, 'dstApp', { required: true, re: PEER_RE, what: 'must be an app code, or <portal>:<code>' })!,
    );
    const method = str(body, 'method', { required: true })!;
    const payload = str(body, 'payload', { re: BASE64, what: 'must be base64' }) ?? '';
    const timeout = body['timeout'];
    if (typeof timeout !== 'number' || !Number.isSafeInteger(timeout) || timeout <= this.now() || timeout > this.now() + MAX_TIMEOUT_MS)
      throw invalid('invalid-field', '/timeout must be ms since the epoch, in the future, within 7 days', '/timeout');
    const target = await this.registry.getApp(dstApp);
    if (target && target.network !== dstChain)
      throw invalid('invalid-field', `app ${dstApp} lives on ${target.network}, not ${dstChain}`, '/dstChain');
    if (!grantAllows(await this.registry.getGrant(app.code, dstApp), method, this.now()))
      throw unauthorized('not-granted', `no grant of both owners lets ${localCode(app)} call ${method} on ${dstApp}`);
    const interchain = network.adapter.interchain;
    if (!interchain?.deliver)
      throw new ApiError('INVALID_INPUT', 'interchain-unsupported', `network ${network.name}'s adapter does not deliver packets`);
    const signer = this.tenancy.hostedSigner(caller.user, network);
    const input: PacketInput = { dstChain, dstApp, method, payload, timeout, grantRef: grantRef(app.code, dstApp) };
    let sent;
    try {
      sent = await interchain.emit({ appId: app.code }, input, signer);
    } catch (err) {
      // The packet's own fields are the caller's: name them as the body does.
      if (err instanceof InvalidInputError && err.field?.startsWith('/packet/'))
        throw invalid('invalid-field', err.message, err.field.slice('/packet'.length));
      throw err;
    }
    const call = await this.store.add(newCall(sent.packet, sent.receipt.txId, this.now(), app.code));
    this.relay(call.packetId);
    return call;
  }

  async get(caller: Caller, code: string, id: string): Promise<CallJson> {
    const { app } = await this.tenancy.memberApp(caller, code);
    const call = /^[0-9a-f]{64}$/.test(id) ? await this.store.get(id) : null;
    if (!call || call.app !== app.code) throw notFound('not-found', `no interchain call ${id} of app ${localCode(app)}`);
    return call;
  }

  async list(caller: Caller, code: string, limit = 100): Promise<CallJson[]> {
    const { app } = await this.tenancy.memberApp(caller, code);
    return this.store.listByApp(app.code, limit);
  }
}

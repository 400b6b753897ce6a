import {
  ACK_STATUSES,
  InvalidInputError,
  RejectedByChainError,
  UnavailableError,
  ackCommitment,
  checkAck,
  checkId,
  checkMethod,
  checkPacket,
  deliveryAttestersFault,
  fromHex,
  packetCommitment,
  packetId,
  toBase64,
  toHex,
  type Ack,
  type AppRef,
  type ChainGrant,
  type DeliveryAttesters,
  type InterchainAttestation,
  type Packet,
  type PacketState,
  type Receipt,
  type Signer,
} from '@bsn/contract';
import { computeAddress } from 'ethers';
import { checkSigner } from '../accounts.js';
import type { AppLocation } from '../app-directory.js';
import type { ChainContext } from '../chain-context.js';
import { hexToBytes } from '../node/chain-reader.js';
import type { ReceiptJson } from '../node/node-json.js';
import { receiptOf } from '../receipts.js';

const CHAIN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Target states as the registry stores them (contracts/lib/packet-delivery.yul). */
const DELIVERED = 1;
const TIMED_OUT = 2;

/**
 * The delivery half on FISCO BCOS (docs/interchain-delivery.md), through the group's
 * BsnKvRegistry: every check is the contract's, made in the transaction that changes state (it
 * rebuilds each commitment from the fields it acts on and counts t of the pinned attesters with
 * ecrecover); the adapter refuses only what could never be sent and maps the contract's errors.
 */
export class FiscoDelivery {
  constructor(private readonly c: ChainContext) {}

  /** Operator (the registry's deployer): pins the attesters, as addresses, and with the first configuration this chain's name. */
  async configureDelivery(attesters: DeliveryAttesters, signer: Signer): Promise<Receipt> {
    const fault = deliveryAttestersFault(attesters);
    if (fault) {
      const index = /attester (\d+)/.exec(fault)?.[1];
      const field = /threshold/.test(fault) ? '/threshold' : index !== undefined ? `/publicKeys/${index}` : '/publicKeys';
      throw new InvalidInputError(`attesters: ${fault}`, { field });
    }
    checkSigner(this.c.suite, signer);
    // ecrecover answers Ethereum addresses (Keccak of the key) on SM chains too: attestations are secp256k1.
    const packed = Buffer.concat(attesters.publicKeys.map((k) => Buffer.from(computeAddress('0x' + toHex(fromHex(k))).slice(2), 'hex')));
    const call = this.c.calls.registry.encode('configureDelivery', [this.c.config.name, packed, attesters.threshold]);
    const raw = await this.send(call, signer, `pinning ${attesters.threshold} of ${attesters.publicKeys.length} delivery attesters`);
    return this.receipt(raw, 'configure-delivery');
  }

  /** The app admin's side of a grant, kept in the app (contracts/lib/app-grants.yul). */
  async setGrant(app: AppRef, grant: ChainGrant, signer: Signer): Promise<Receipt> {
    const g = checkGrant(grant);
    checkSigner(this.c.suite, signer);
    const location = await this.c.apps.get(app.appId);
    const methods = Buffer.concat(
      g.methods.map((m) => {
        const name = Buffer.from(m, 'utf8');
        return Buffer.concat([Buffer.of(name.length), name]);
      }),
    );
    const call = this.c.calls.app.encode('setGrant', [
      g.direction === 'outgoing' ? 0 : 1,
      g.peerChain,
      g.peerApp,
      g.ref,
      methods,
      g.expiresAt,
      g.revoked,
    ]);
    const what = `setting ${app.appId}'s ${g.direction} grant ${g.ref} for ${g.peerChain}/${g.peerApp}`;
    const raw = this.c.calls.check(
      await this.c.txs.signAndSend(location.address, call, signer, what, Date.now() + this.c.config.submitTimeoutMs),
      { what },
    );
    return receiptOf(this.c.chain, this.c.calls, raw, `grant:${g.ref}`, location);
  }

  async deliver(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<{ receipt: Receipt; ack: Ack }> {
    const p = checkPacket(packet);
    const id = packetId(p);
    const raw = await this.send(this.encode('deliver', p, attestations), signer, `delivering packet ${id}`);
    const log = this.logOf(raw, 'PacketDelivered', id);
    if (!log) throw new UnavailableError(`the delivery of ${id} committed without its PacketDelivered log`, { stage: 'commit' });
    const [commitment, status, result] = log as unknown as [string, bigint, string];
    const ack: Ack = {
      packetId: id,
      commitment: commitment.slice(2),
      status: ACK_STATUSES[Number(status)]!,
      result: toBase64(hexToBytes(result)),
    };
    return { receipt: await this.receipt(raw, `deliver:${id}`, p.dstApp), ack };
  }

  async recordTimeout(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    const p = checkPacket(packet);
    const raw = await this.send(this.encode('recordTimeout', p, attestations), signer, `recording packet ${packetId(p)} as timed out`);
    return this.receipt(raw, `timeout:${packetId(p)}`, p.dstApp);
  }

  async acknowledge(packet: Packet, ack: Ack, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    const p = checkPacket(packet);
    const a = checkAck(ack);
    const call = this.c.calls.registry.encode('acknowledge', [
      ...this.packetArgs(p),
      signaturesOf(attestations),
      '0x' + a.packetId,
      '0x' + a.commitment,
      ACK_STATUSES.indexOf(a.status),
      Buffer.from(a.result, 'base64'),
    ]);
    const raw = await this.send(call, signer, `acknowledging packet ${packetId(p)}`);
    return this.receipt(raw, `ack:${packetId(p)}`, p.srcApp);
  }

  async closeTimedOut(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    const p = checkPacket(packet);
    const raw = await this.send(this.encode('closeTimedOut', p, attestations), signer, `closing packet ${packetId(p)} as timed out`);
    return this.receipt(raw, `close:${packetId(p)}`, p.srcApp);
  }

  /**
   * The packet's state read from the registry. A packet from this chain to itself (a loopback)
   * answers its furthest step: sent, then delivered (target), then acknowledged or timed out (source).
   */
  async packetState(packet: Packet): Promise<PacketState> {
    const p = checkPacket(packet);
    const id = packetId(p);
    const [name] = await this.view('deliveryConfig', [], 'reading the delivery configuration');
    const here = String(name) || this.c.config.name;
    const source = p.srcChain === here ? await this.sourceState(p, id) : undefined;
    const known = source?.state === 'unknown' ? undefined : source;
    if (known && known.state !== 'sent') return known;
    if (p.dstChain === here) {
      const target = await this.targetState(id);
      if (target.state !== 'none' || !known) return target;
    }
    return known ?? { side: 'source', state: 'unknown' };
  }

  private async sourceState(p: Packet, id: string): Promise<PacketState> {
    const [commitment, state, status, , , result] = await this.view(
      'sourceState',
      [p.srcApp, p.dstChain, p.dstApp, p.seq],
      `reading packet ${id} as its source`,
    );
    // Another packet under this seq (or none): this chain did not send this one.
    if (String(commitment).toLowerCase() !== '0x' + packetCommitment(p)) return { side: 'source', state: 'unknown' };
    if (Number(state) === TIMED_OUT) return { side: 'source', state: 'timed-out' };
    if (Number(state) !== DELIVERED) return { side: 'source', state: 'sent' };
    return { side: 'source', state: 'acknowledged', ack: this.ackOf(id, String(commitment), status, String(result)) };
  }

  private async targetState(id: string): Promise<PacketState> {
    const [state, status, , commitment, stored, result] = await this.view('targetState', ['0x' + id], `reading packet ${id} as its target`);
    if (Number(state) === TIMED_OUT) return { side: 'target', state: 'timed-out' };
    if (Number(state) !== DELIVERED) return { side: 'target', state: 'none' };
    const ack = this.ackOf(id, String(commitment), status, String(result));
    if ('0x' + ackCommitment(ack) !== String(stored).toLowerCase())
      throw new RejectedByChainError(`the ack of ${id} read back does not hash to the commitment the chain stored`, { stage: 'query' });
    return { side: 'target', state: 'delivered', ack };
  }

  private ackOf(id: string, commitment: string, status: unknown, result: string): Ack {
    return {
      packetId: id,
      commitment: commitment.replace(/^0x/, ''),
      status: ACK_STATUSES[Number(status)]!,
      result: toBase64(hexToBytes(result)),
    };
  }

  private packetArgs(p: Packet): unknown[] {
    return [p.srcChain, p.srcApp, p.dstChain, p.dstApp, p.seq, p.method, Buffer.from(p.payload, 'base64'), p.timeout, p.grantRef];
  }

  private encode(fn: 'deliver' | 'recordTimeout' | 'closeTimedOut', p: Packet, attestations: InterchainAttestation[]): Uint8Array {
    return this.c.calls.registry.encode(fn, [...this.packetArgs(p), signaturesOf(attestations)]);
  }

  private async send(call: Uint8Array, signer: Signer, what: string): Promise<ReceiptJson> {
    checkSigner(this.c.suite, signer);
    const raw = await this.c.txs.signAndSend(this.c.config.registry, call, signer, what, Date.now() + this.c.config.submitTimeoutMs);
    return this.c.calls.check(raw, { what });
  }

  private async receipt(raw: ReceiptJson, requestId: string, appId?: string): Promise<Receipt> {
    const app: AppLocation = appId
      ? ((await this.c.apps.find(appId)) ?? { appId, address: this.c.config.registry, createdBlock: 0 })
      : { appId: '', address: this.c.config.registry, createdBlock: 0 };
    return receiptOf(this.c.chain, this.c.calls, raw, requestId, app);
  }

  private logOf(raw: ReceiptJson, event: string, id: string) {
    const registry = this.c.config.registry.toLowerCase();
    for (const l of raw.logEntries) {
      if (l.address.replace(/^0x/, '').toLowerCase() !== registry.slice(2)) continue;
      if (l.topics[1]?.toLowerCase() !== '0x' + id) continue;
      const decoded = this.c.calls.registry.decodeLog(event, {
        address: l.address,
        topics: l.topics.map(hexToBytes),
        data: hexToBytes(l.data),
      });
      if (decoded) return decoded;
    }
    return undefined;
  }

  private view(fn: string, args: readonly unknown[], what: string) {
    return this.c.calls.view(this.c.calls.registry, this.c.config.registry, fn, args, what);
  }
}

/** Packed r ‖ s ‖ v, 65 bytes each, as the registry counts them; a malformed one is the field's fault. */
function signaturesOf(attestations: InterchainAttestation[]): Uint8Array {
  if (!Array.isArray(attestations)) throw new InvalidInputError('/attestations: must be an array', { field: '/attestations' });
  return Buffer.concat(
    attestations.map((a, i) => {
      const sig = typeof a?.signature === 'string' && /^(0x)?[0-9a-fA-F]{130}$/.test(a.signature) ? a.signature.replace(/^0x/, '') : '';
      if (!sig)
        throw new InvalidInputError(`/attestations/${i}/signature: must be 65 bytes of hex`, { field: `/attestations/${i}/signature` });
      return Buffer.from(sig, 'hex');
    }),
  );
}

/** Refuses a grant that could not be one, naming the field (`/grant/peerApp`, …). */
function checkGrant(value: unknown): ChainGrant {
  const bad = (field: string, why: string): never => {
    throw new InvalidInputError(`/grant${field}: ${why}`, { field: `/grant${field}` });
  };
  if (typeof value !== 'object' || value === null) bad('', 'must be a grant object');
  const g = value as Record<string, unknown>;
  if (g.direction !== 'outgoing' && g.direction !== 'incoming') bad('/direction', 'must be outgoing or incoming');
  if (typeof g.peerChain !== 'string' || !CHAIN.test(g.peerChain)) bad('/peerChain', 'must be a chain name');
  checkId(g.peerApp, '/grant/peerApp');
  checkId(g.ref, '/grant/ref');
  if (!Array.isArray(g.methods) || g.methods.length === 0) bad('/methods', 'must list at least one method');
  (g.methods as unknown[]).forEach((m, i) => checkMethod(m, `/grant/methods/${i}`));
  if (!Number.isSafeInteger(g.expiresAt) || (g.expiresAt as number) < 0) bad('/expiresAt', 'must be ms since the epoch, or 0 for never');
  if (typeof g.revoked !== 'boolean') bad('/revoked', 'must be a boolean');
  return g as unknown as ChainGrant;
}

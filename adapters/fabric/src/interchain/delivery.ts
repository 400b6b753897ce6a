import {
  InvalidInputError,
  UnavailableError,
  canonicalJson,
  checkAck,
  checkAppRef,
  checkPacket,
  deliveryAttestersFault,
  packetId,
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
import { FRAMEWORK } from '../describe.js';
import { checkAlgorithm } from '../signer-bridge.js';
import type { InterchainDeps } from './deps.js';

/** The chaincode's interchain contract: its functions are called `BsnInterchain:<fn>`. */
export const DELIVERY_CONTRACT = 'BsnInterchain';
const fn = (name: string) => `${DELIVERY_CONTRACT}:${name}`;

const GRANT_FIELDS = ['direction', 'peerChain', 'peerApp', 'ref', 'methods', 'expiresAt', 'revoked'];

function invalid(field: string, why: string): never {
  throw new InvalidInputError(`${field}: ${why}`, { field });
}

function checkAttestationList(value: unknown): InterchainAttestation[] {
  if (!Array.isArray(value)) invalid('/attestations', 'must be a list of interchain attestations');
  return value as InterchainAttestation[];
}

/** The grant's shape; the chaincode checks every field again, with the same rules. */
function checkGrant(value: unknown): ChainGrant {
  if (typeof value !== 'object' || value === null) invalid('/grant', 'must be a grant object');
  const g = value as Record<string, unknown>;
  const extra = Object.keys(g).find((k) => !GRANT_FIELDS.includes(k));
  if (extra !== undefined) invalid(`/grant/${extra}`, 'unknown field');
  if (g.direction !== 'outgoing' && g.direction !== 'incoming') invalid('/grant/direction', 'must be outgoing or incoming');
  if (!Array.isArray(g.methods) || g.methods.length === 0) invalid('/grant/methods', 'must list at least one method');
  if (!Number.isSafeInteger(g.expiresAt) || (g.expiresAt as number) < 0) invalid('/grant/expiresAt', 'must be a ms timestamp, 0 for never');
  if (typeof g.revoked !== 'boolean') invalid('/grant/revoked', 'must be true or false');
  return g as unknown as ChainGrant;
}

/**
 * Interchain delivery through the preset chaincode's `BsnInterchain` contract
 * (chaincode/lib/interchain-contract.js): every check the spec names is made by the endorsing
 * peers in the transaction that changes state; the adapter only refuses malformed input first
 * and turns the chaincode's refusals into typed errors (with Fabric's detail).
 */
export class FabricDelivery {
  constructor(private readonly d: InterchainDeps) {}

  private async write(signer: Signer, name: string, args: string[], what: string) {
    checkAlgorithm(signer?.algorithm, '/signer/algorithm');
    const gateway = await this.d.connection.gatewayFor(signer);
    try {
      return await this.d.transactor.transact(gateway, fn(name), args, { what, deadline: Date.now() + this.d.config.submitTimeoutMs });
    } finally {
      gateway.close();
    }
  }

  private answer<T>(bytes: Uint8Array, txId: string, what: string, check: (v: unknown) => T): T {
    try {
      return check(JSON.parse(Buffer.from(bytes).toString('utf8')));
    } catch (cause) {
      throw new UnavailableError(`${what}: the chaincode answered with something else (${(cause as Error).message})`, {
        stage: 'commit',
        txId,
        cause,
        detail: { framework: FRAMEWORK },
      });
    }
  }

  async configureDelivery(attesters: DeliveryAttesters, signer: Signer): Promise<Receipt> {
    const fault = deliveryAttestersFault(attesters);
    if (fault) invalid('/attesters', `unsound: ${fault}`);
    const { publicKeys, threshold } = attesters;
    const c = await this.write(
      signer,
      'configureDelivery',
      [this.d.config.name, JSON.stringify({ publicKeys, threshold })],
      `configuring interchain delivery on ${this.d.config.channel}`,
    );
    return this.d.transactor.receiptOf(c, `delivery-config:${c.txId}`);
  }

  async setGrant(app: AppRef, grant: ChainGrant, signer: Signer): Promise<Receipt> {
    const { appId } = checkAppRef(app);
    const g = checkGrant(grant);
    const c = await this.write(signer, 'setGrant', [appId, JSON.stringify(g)], `setting the ${g.direction} grant of ${appId}`);
    return this.d.transactor.receiptOf(c, `grant:${appId}:${g.direction}:${String(g.peerChain)}:${String(g.peerApp)}`);
  }

  async deliver(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<{ receipt: Receipt; ack: Ack }> {
    const p = checkPacket(structuredClone(packet));
    const list = checkAttestationList(attestations);
    const id = packetId(p);
    const what = `delivering packet ${id} to ${p.dstApp}`;
    const c = await this.write(signer, 'deliver', [canonicalJson(p), JSON.stringify(list)], what);
    const ack = this.answer(c.result, c.txId, what, (v) => checkAck(v));
    return { receipt: this.d.transactor.receiptOf(c, `deliver:${id}`), ack };
  }

  async recordTimeout(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    const p = checkPacket(structuredClone(packet));
    const list = checkAttestationList(attestations);
    const id = packetId(p);
    const c = await this.write(signer, 'recordTimeout', [canonicalJson(p), JSON.stringify(list)], `recording packet ${id} as timed out`);
    return this.d.transactor.receiptOf(c, `timeout:${id}`);
  }

  async acknowledge(packet: Packet, ack: Ack, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    const p = checkPacket(structuredClone(packet));
    const a = checkAck(structuredClone(ack));
    const list = checkAttestationList(attestations);
    const id = packetId(p);
    const c = await this.write(
      signer,
      'acknowledge',
      [canonicalJson(p), canonicalJson(a), JSON.stringify(list)],
      `acknowledging packet ${id} from ${p.srcApp}`,
    );
    return this.d.transactor.receiptOf(c, `ack:${id}`);
  }

  async closeTimedOut(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    const p = checkPacket(structuredClone(packet));
    const list = checkAttestationList(attestations);
    const id = packetId(p);
    const c = await this.write(signer, 'closeTimedOut', [canonicalJson(p), JSON.stringify(list)], `closing packet ${id} as timed out`);
    return this.d.transactor.receiptOf(c, `close:${id}`);
  }

  /**
   * The packet's state as this chain keeps it. `side` (an extension of the contract's signature)
   * asks for one view of a packet this chain both sent and receives (a loopback); without it, the
   * view of the chain's role — and on a loopback the packet's furthest step (`furthestState`).
   */
  async packetState(packet: Packet, side?: 'source' | 'target'): Promise<PacketState> {
    const p = checkPacket(structuredClone(packet));
    if (side !== undefined && side !== 'source' && side !== 'target') invalid('/side', 'must be source or target');
    const name = this.d.config.name;
    if (side === undefined && p.srcChain === name && p.dstChain === name)
      return furthestState(await this.packetState(p, 'source'), await this.packetState(p, 'target'));
    const view = side ?? (p.srcChain === name ? 'source' : p.dstChain === name ? 'target' : undefined);
    if (view === undefined) return { side: 'source', state: 'unknown' };
    const bytes = await this.d.chaincode.evaluate(fn('packetState'), [canonicalJson(p), view], `state of packet ${packetId(p)}`);
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as PacketState;
  }
}

/**
 * A loopback packet's furthest step, as the conformance suite reads it: the source's close
 * (`acknowledged`, `timed-out`) once there is one, else the target's record (`delivered`,
 * `timed-out`) once there is one, else the source's `sent` (or `unknown`).
 */
export function furthestState(source: PacketState, target: PacketState): PacketState {
  if (source.state === 'acknowledged' || source.state === 'timed-out') return source;
  return target.state === 'none' ? source : target;
}

/**
 * The delivery half on EOS (docs/interchain-delivery.md), through the preset contract's
 * `configure`, `setgrant`, `deliver`, `rectimeout`, `acknowledge` and `closetimeout` actions:
 * every check is the contract's, in the action that changes state; the adapter refuses only
 * input that could never be sent (shape), and names the relayer's account as the one authority
 * a transaction needs (anyone may relay: what it carries is checked on chain).
 */
import {
  InvalidInputError,
  checkAck,
  checkPacket,
  deliveryAttestersFault,
  isBsnError,
  packetCommitment,
  packetId,
  type Ack,
  type AppRef,
  type ChainGrant,
  type DeliveryAttesters,
  type InterchainAttestation,
  type Packet,
  type Receipt,
  type Signer,
} from '@bsn/contract';
import { accountNameOf, PERMISSION } from '../accounts.js';
import type { AccountCreator } from '../account-creator.js';
import { AntelopeApiError, publicKeyText } from '../antelope/index.js';
import type { AppRegistry } from '../apps.js';
import type { ContractAbis } from '../contract-abis.js';
import type { ContractTables } from '../contract-tables.js';
import type { Transactions } from '../transactions.js';
import { checkGrant } from './grant.js';
import { packetEventsOf } from './packet-events.js';
import { predictAck } from './predict-ack.js';

/** How often a delivery is tried again when the target's store moved between the ack's prediction and the delivery. */
const ACK_ATTEMPTS = 3;
/** The contract recovers at most this many signatures per action. */
const MAX_SIGNATURES = 32;

/** The packet as the contract's actions take it. */
export const packetArgs = (p: Packet) => ({
  srcchain: p.srcChain,
  srcapp: p.srcApp,
  dstchain: p.dstChain,
  dstapp: p.dstApp,
  seq: p.seq,
  method: p.method,
  payload: p.payload,
  timeout: p.timeout,
  grantref: p.grantRef,
});

/** The attestations' signatures, concatenated (r ‖ s ‖ v each): the contract rebuilds what they sign and counts pinned signers. */
function signaturesOf(attestations: InterchainAttestation[]): string {
  if (!Array.isArray(attestations)) throw new InvalidInputError('/attestations: must be a list', { field: '/attestations' });
  const shaped = attestations.filter((a) => typeof a?.signature === 'string' && /^[0-9a-f]{130}$/.test(a.signature));
  if (shaped.length > MAX_SIGNATURES)
    throw new InvalidInputError(`/attestations: more than ${MAX_SIGNATURES} signatures`, { field: '/attestations' });
  return shaped.map((a) => a.signature).join('');
}

/** Whether the contract refused the delivery for the ack it was told to expect (`bsn:ack:`). */
function ackRefused(error: Error): boolean {
  const cause = error.cause;
  const said = [error.message, ...(cause instanceof AntelopeApiError ? [cause.message, ...cause.details] : [])];
  return said.some((m) => m.includes('bsn:ack:'));
}

export class EosDelivery {
  constructor(
    private readonly txs: Transactions,
    private readonly apps: AppRegistry,
    private readonly abis: ContractAbis,
    private readonly tables: ContractTables,
    private readonly creator: AccountCreator,
    private readonly chain: string,
  ) {}

  private get contract(): string {
    return this.apps.contract;
  }

  async configureDelivery(attesters: DeliveryAttesters, signer: Signer): Promise<Receipt> {
    const fault = deliveryAttestersFault(attesters);
    if (fault) {
      const index = /attester (\d+)/.exec(fault)?.[1];
      const field = /threshold/.test(fault) ? '/threshold' : index !== undefined ? `/publicKeys/${index}` : '/publicKeys';
      throw new InvalidInputError(`attesters: ${fault}`, { field });
    }
    // The operator is the contract account itself: only its key satisfies this authorization.
    return this.send(
      'configure',
      { chain: this.chain, keys: attesters.publicKeys.join(''), threshold: attesters.threshold },
      this.contract,
      signer,
      `pinning ${attesters.threshold} of ${attesters.publicKeys.length} delivery attesters`,
      'configure',
    );
  }

  async setGrant(app: AppRef, grant: ChainGrant, signer: Signer): Promise<Receipt> {
    const g = checkGrant(grant);
    const admin = accountNameOf(signer.algorithm, signer.publicKey);
    return this.send(
      'setgrant',
      {
        appid: app.appId,
        admin,
        direction: g.direction,
        peerchain: g.peerChain,
        peerapp: g.peerApp,
        ref: g.ref,
        methods: g.methods,
        expires: g.expiresAt,
        revoked: g.revoked,
      },
      admin,
      signer,
      `setting the ${g.direction} grant of ${app.appId} with ${g.peerChain}/${g.peerApp}`,
      `grant:${app.appId}`,
    );
  }

  async deliver(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<{ receipt: Receipt; ack: Ack }> {
    const p = checkPacket(packet);
    const sigs = signaturesOf(attestations);
    const id = packetId(p);
    for (let attempt = 1; ; attempt++) {
      const predicted = await predictAck(p, (key) => this.liveValue(p.dstApp, key));
      try {
        const receipt = await this.relay(
          'deliver',
          { ...packetArgs(p), sigs, ackstatus: predicted.status, ackresult: predicted.result },
          signer,
          `delivering packet ${id}`,
          `deliver:${id}`,
          p.dstApp,
        );
        return { receipt, ack: { packetId: id, commitment: packetCommitment(p), ...predicted } };
      } catch (error) {
        const moved = isBsnError(error) && ackRefused(error);
        if (!moved || attempt >= ACK_ATTEMPTS) throw error;
      }
    }
  }

  recordTimeout(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    const p = checkPacket(packet);
    const id = packetId(p);
    return this.relay(
      'rectimeout',
      { ...packetArgs(p), sigs: signaturesOf(attestations) },
      signer,
      `recording packet ${id} as timed out`,
      `timeout:${id}`,
      p.dstApp,
    );
  }

  acknowledge(packet: Packet, ack: Ack, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    const p = checkPacket(packet);
    const a = checkAck(ack);
    const id = packetId(p);
    // The contract rebuilds the ack from the packet: one naming another packet could never be the one attested.
    if (a.packetId !== id) throw new InvalidInputError('/ack/packetId: is not the packet id of the packet', { field: '/ack/packetId' });
    if (a.commitment !== packetCommitment(p))
      throw new InvalidInputError('/ack/commitment: is not the commitment of the packet', { field: '/ack/commitment' });
    return this.relay(
      'acknowledge',
      { ...packetArgs(p), ackstatus: a.status, ackresult: a.result, sigs: signaturesOf(attestations) },
      signer,
      `acknowledging packet ${id}`,
      `ack:${id}`,
      p.srcApp,
    );
  }

  closeTimedOut(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    const p = checkPacket(packet);
    const id = packetId(p);
    return this.relay(
      'closetimeout',
      { ...packetArgs(p), sigs: signaturesOf(attestations) },
      signer,
      `closing packet ${id} as timed out`,
      `close:${id}`,
      p.srcApp,
    );
  }

  /** A permissionless action, authorized by the relayer's own account (created for it when new: a transaction needs one authority). */
  private async relay(
    name: string,
    data: Record<string, unknown>,
    signer: Signer,
    what: string,
    requestId: string,
    app: string,
  ): Promise<Receipt> {
    const relayer = accountNameOf(signer.algorithm, signer.publicKey);
    await this.creator.ensure(relayer, publicKeyText(signer.algorithm, signer.publicKey));
    return this.send(name, data, relayer, signer, what, requestId, app);
  }

  /** `eventsOf`: the app whose `packet.*` events the receipt carries. */
  private async send(
    name: string,
    data: Record<string, unknown>,
    actor: string,
    signer: Signer,
    what: string,
    requestId: string,
    eventsOf?: string,
  ): Promise<Receipt> {
    const abi = await this.abis.of(this.contract);
    const final = await this.txs.submit(
      [{ account: this.contract, name, authorization: [{ actor, permission: PERMISSION }], data: abi.encodeAction(name, data) }],
      signer,
      { what },
    );
    return {
      txId: final.txId,
      requestId,
      status: 'committed' as const,
      block: { number: final.block.number, hash: final.block.hash },
      events: eventsOf ? packetEventsOf(final.actions, abi, this.contract, eventsOf, final.txId, final.block.number) : [],
      timestamp: final.block.timestamp,
    };
  }

  private async liveValue(appId: string, key: string): Promise<Uint8Array | null> {
    const at = await this.apps.locate(appId, '/packet/dstApp').catch(() => undefined);
    if (!at) return null;
    const row = (await this.tables.entriesOfHead(at, key)).find((r) => r.key === key);
    return row ? new Uint8Array(Buffer.from(row.value, 'hex')) : null;
  }
}

/**
 * A packet's state read from the chain: the contract's `sent` row (source) and `receipts` row
 * (target), keyed by the packet id's table id. An ack is read back from the transaction that
 * recorded it (its action data carry it) and must hash to the ack commitment the row keeps.
 */
import {
  UnavailableError,
  ackCommitment,
  checkPacket,
  packetCommitment,
  packetId,
  type Ack,
  type AckStatus,
  type Packet,
  type PacketState,
} from '@bsn/contract';
import { idOf } from '../contract-keys.js';
import type { ContractAbis } from '../contract-abis.js';
import { toBsnError } from '../errors.js';
import type { NodeApi } from '../node-api.js';

interface StateRow {
  id: string;
  packetid: string;
  state: number;
  ackcommit: string;
  txid: string;
}

const SENT = 1;
const ACKNOWLEDGED = 2;
const DELIVERED = 1;

export class PacketStates {
  constructor(
    private readonly api: NodeApi,
    private readonly abis: ContractAbis,
    private readonly contract: string,
    private readonly chain: string,
  ) {}

  /** A loopback packet reports its furthest step: sent, then delivered (target), then acknowledged or timed out (source). */
  async packetState(packet: Packet): Promise<PacketState> {
    const p = checkPacket(packet);
    const id = packetId(p);
    try {
      const source = p.srcChain === this.chain ? await this.sourceState(p, id) : undefined;
      if (source && source.state !== 'sent' && source.state !== 'unknown') return source;
      if (p.dstChain === this.chain) {
        const target = await this.targetState(p, id);
        if (!source || target.state !== 'none') return target;
      }
      return source ?? { side: 'source', state: 'unknown' };
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `reading the state of packet ${id}` });
    }
  }

  private async row(table: 'sent' | 'receipts', id: string): Promise<StateRow | undefined> {
    const key = idOf(Buffer.from(id, 'hex')).toString();
    const page = await this.api.tableRows<StateRow>({
      code: this.contract,
      scope: this.contract,
      table,
      lower_bound: key,
      upper_bound: key,
      limit: 1,
    });
    const row = page.rows[0];
    return row && row.packetid === id ? row : undefined;
  }

  private async sourceState(p: Packet, id: string): Promise<PacketState> {
    const row = await this.row('sent', id);
    if (!row) return { side: 'source', state: 'unknown' };
    if (row.state === SENT) return { side: 'source', state: 'sent', txId: row.txid };
    if (row.state !== ACKNOWLEDGED) return { side: 'source', state: 'timed-out', txId: row.txid };
    return { side: 'source', state: 'acknowledged', ack: await this.ackOf(p, id, row, 'acknowledge'), txId: row.txid };
  }

  private async targetState(p: Packet, id: string): Promise<PacketState> {
    const row = await this.row('receipts', id);
    if (!row) return { side: 'target', state: 'none' };
    if (row.state !== DELIVERED) return { side: 'target', state: 'timed-out', txId: row.txid };
    return { side: 'target', state: 'delivered', ack: await this.ackOf(p, id, row, 'deliver'), txId: row.txid };
  }

  /** The ack the recording transaction carried, checked against the commitment the contract stored. */
  private async ackOf(p: Packet, id: string, row: StateRow, action: 'deliver' | 'acknowledge'): Promise<Ack> {
    const abi = await this.abis.of(this.contract);
    const trace = await this.api.transactionTrace(row.txid);
    for (const a of trace.actions) {
      if (a.account !== this.contract || a.receiver !== this.contract || a.action !== action) continue;
      const data = abi.decodeAction<{ ackstatus: string; ackresult: string }>(action, Uint8Array.from(Buffer.from(a.data, 'hex')));
      const ack: Ack = { packetId: id, commitment: packetCommitment(p), status: data.ackstatus as AckStatus, result: data.ackresult };
      if (ackCommitment(ack) === row.ackcommit) return ack;
    }
    throw new UnavailableError(`the ack of packet ${id} cannot be read back from transaction ${row.txid}`, { stage: 'query' });
  }
}

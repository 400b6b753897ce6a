/**
 * Sends a packet: the registry contract's `emit` action (for dedicated apps too), by a member
 * of the (unfrozen) source app. The contract keeps the last sequence per (app, destination
 * chain, destination app) and refuses any but the next, so the adapter reads it, sends the
 * next, and reads again when another sender took that one first.
 */
import { checkEmitRequest, type AppRef, type Packet, type PacketInput, type Receipt, type Signer, isBsnError } from '@bsn/contract';
import { accountNameOf, PERMISSION } from '../accounts.js';
import type { AppRegistry } from '../apps.js';
import type { ContractAbis } from '../contract-abis.js';
import { idOf } from '../contract-keys.js';
import { contractRefusal, toBsnError } from '../errors.js';
import type { NodeApi } from '../node-api.js';
import { receiptOf } from '../receipts.js';
import type { Transactions } from '../transactions.js';
import { packetEventsOf } from './packet-events.js';

/** How often a packet is sent again with a fresh sequence when a concurrent sender took the one read. */
const SEQUENCE_RETRIES = 5;

const channelId = (dstChain: string, dstApp: string): string =>
  idOf(Buffer.concat([Buffer.from(dstChain, 'utf8'), Buffer.from([0]), Buffer.from(dstApp, 'utf8')])).toString();

export class PacketSender {
  constructor(
    private readonly api: NodeApi,
    private readonly txs: Transactions,
    private readonly apps: AppRegistry,
    private readonly abis: ContractAbis,
    private readonly chain: string,
  ) {}

  async emit(app: AppRef, input: PacketInput, signer: Signer): Promise<{ packet: Packet; receipt: Receipt }> {
    const plan = checkEmitRequest(app, input, this.chain);
    const located = await this.apps.locate(plan.srcApp);
    // Every app, dedicated ones too, sends through the registry's contract (the account verifiers
    // pin); its outbox is in the app's scope there, and it reads a dedicated app's members at home.
    const at = { ...located, account: this.apps.contract };
    const abi = await this.abis.of(at.account);
    const sender = accountNameOf(signer.algorithm, signer.publicKey);
    for (let attempt = 0; ; attempt++) {
      const packet = plan.packetAt((await this.lastSeq(at, plan.fields.dstChain, plan.fields.dstApp)) + 1);
      const data = {
        appid: packet.srcApp,
        sender,
        srcchain: packet.srcChain,
        dstchain: packet.dstChain,
        dstapp: packet.dstApp,
        seq: packet.seq,
        method: packet.method,
        payload: packet.payload,
        timeout: packet.timeout,
        grantref: packet.grantRef,
      };
      const action = {
        account: at.account,
        name: 'emit',
        authorization: [{ actor: sender, permission: PERMISSION }],
        data: abi.encodeAction('emit', data),
      };
      try {
        const final = await this.txs.submit([action], signer, { what: `emit on ${packet.srcApp}` });
        const receipt = receiptOf(final, `emit:${packet.seq}`, at, abi);
        receipt.events.push(...packetEventsOf(final.actions, abi, at.account, packet.srcApp, final.txId, final.block.number));
        return { packet, receipt };
      } catch (error) {
        const stale = isBsnError(error) && contractRefusal(error.cause)?.text.startsWith('packet sequence');
        if (!stale || attempt >= SEQUENCE_RETRIES) throw error;
      }
    }
  }

  private async lastSeq(at: { account: string; scope: string }, dstChain: string, dstApp: string): Promise<number> {
    const id = channelId(dstChain, dstApp);
    try {
      const page = await this.api.tableRows<{ id: string; seq: string | number; dstchain: string; dstapp: string }>({
        code: at.account,
        scope: at.scope,
        table: 'outbox',
        lower_bound: id,
        upper_bound: id,
        limit: 1,
      });
      const row = page.rows[0];
      return row && row.dstchain === dstChain && row.dstapp === dstApp ? Number(row.seq) : 0;
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: 'reading the outbox' });
    }
  }
}

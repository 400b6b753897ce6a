'use strict';
// Interchain delivery on Fabric (docs/interchain-delivery.md), the contract `BsnInterchain` of
// the preset chaincode (functions `BsnInterchain:<name>`), over the same world state as the
// preset contract's apps:
//   configureDelivery(chain, attestersJson)          → the configuration   an org admin (OU=admin)
//   deliveryConfig()                                 → the configuration or null
//   setGrant(appId, grantJson)                       → the grant           the app's admin
//   deliver(packetJson, attestationsJson)            → the ack (RFC 8785)  target; event bsn/<dstApp>/packet.received
//   recordTimeout(packetJson, attestationsJson)      → the packet id       target; event bsn/<dstApp>/packet.timeout
//   acknowledge(packetJson, ackJson, attestations)   → the ack             source; event bsn/<srcApp>/packet.acknowledged
//   closeTimedOut(packetJson, attestationsJson)      → the packet id       source; event bsn/<srcApp>/packet.closed
//   packetState(packetJson, side)                    → the packet's state here as its 'source' or 'target'
// Each state change checks everything it relies on in the transaction that makes it, and a
// refusal throws (nothing is written). Two relayers delivering one packet both read the absent
// receipt `d/<packetId>`: whichever commits second is invalidated by Fabric (MVCC_READ_CONFLICT),
// so the call runs once. Fabric allows one event per transaction, so a packet's kv.put emits no
// kv.put event: packet.received (carrying the ack) is the delivery's event.
const { Contract } = require('fabric-contract-api');
const { fail } = require('./errors.js');
const { loadApp, loadAppAsAdmin } = require('./apps.js');
const { getJson } = require('./state.js');
const packets = require('./packets.js');
const { requireAttested } = require('./attestations.js');
const { configure, deliveryConfig, requireConfig, checkClock } = require('./delivery-config.js');
const { checkGrant, writeGrant, checkIncoming } = require('./grants.js');
const { PACKET_CALL_METHODS, execute } = require('./packet-call.js');
const { receiptKey, closeKey, ackOf, ackJson, ackCommitmentOf, checkAck } = require('./acks.js');

const putCanonical = (ctx, key, flat) => ctx.stub.putState(key, Buffer.from(packets.canonical(flat), 'utf8'));

class InterchainContract extends Contract {
  constructor() {
    super('BsnInterchain');
  }

  async configureDelivery(ctx, chain, attestersJson) {
    return JSON.stringify(await configure(ctx, chain, attestersJson));
  }

  async deliveryConfig(ctx) {
    return JSON.stringify((await deliveryConfig(ctx)) ?? null);
  }

  async setGrant(ctx, appId, grantJson) {
    const app = await loadAppAsAdmin(ctx, appId, 'set its interchain grants');
    return JSON.stringify(await writeGrant(ctx, app.appId, checkGrant(grantJson)));
  }

  /** A packet for this chain, attested: the packet, its id and commitment (steps 1-2 of deliver). */
  async _attestedInbound(ctx, packetJson, attestationsJson) {
    const packet = packets.checkPacket(packetJson);
    const config = await requireConfig(ctx);
    if (packet.dstChain !== config.chain)
      fail('INVALID_INPUT', `the packet is for chain ${packet.dstChain}, this is ${config.chain}`, { field: '/packet/dstChain' });
    const commitment = packets.commitmentOf(packet);
    requireAttested(config, 'packet', commitment, attestationsJson);
    return { packet, id: packets.packetIdOf(packet), commitment };
  }

  async _noReceipt(ctx, id) {
    const receipt = await getJson(ctx, receiptKey(id));
    if (receipt)
      fail('CONFLICT', receipt.state === 'delivered' ? `packet ${id} was already delivered` : `packet ${id} timed out`, {
        packetId: id,
        state: receipt.state,
        txId: receipt.tx,
      });
  }

  async deliver(ctx, packetJson, attestationsJson) {
    const txTime = checkClock(ctx);
    const { packet, id, commitment } = await this._attestedInbound(ctx, packetJson, attestationsJson);
    const app = await loadApp(ctx, packet.dstApp, '/packet/dstApp');
    if (app.state === 'frozen') fail('CONFLICT', `app ${JSON.stringify(app.appId)} is frozen: it takes no packets`, { appId: app.appId });
    await this._noReceipt(ctx, id);
    if (txTime >= packet.timeout)
      fail('CONFLICT', `packet ${id} timed out at ${packet.timeout} (the transaction is at ${txTime})`, { txTime });
    if (!PACKET_CALL_METHODS.includes(packet.method))
      fail('INVALID_INPUT', `unregistered method: ${packet.method} is not a method packets may call`, { field: '/packet/method' });
    await checkIncoming(ctx, packet, txTime);
    const { status, result } = await execute(ctx, app.appId, packet.method, packet.payload);
    const ack = { packetId: id, commitment, status, result };
    const txId = ctx.stub.getTxID();
    await putCanonical(ctx, receiptKey(id), { ...ack, state: 'delivered', tx: txId });
    const bytes = Buffer.from(ackJson(ack), 'utf8');
    ctx.stub.setEvent(`bsn/${app.appId}/packet.received`, bytes);
    return bytes.toString('utf8');
  }

  async recordTimeout(ctx, packetJson, attestationsJson) {
    const txTime = checkClock(ctx);
    const { packet, id, commitment } = await this._attestedInbound(ctx, packetJson, attestationsJson);
    await this._noReceipt(ctx, id);
    if (txTime < packet.timeout)
      fail('CONFLICT', `packet ${id} times out at ${packet.timeout}, not yet (the transaction is at ${txTime})`, { txTime });
    await putCanonical(ctx, receiptKey(id), { commitment, packetId: id, state: 'timed-out', tx: ctx.stub.getTxID() });
    ctx.stub.setEvent(`bsn/${packet.dstApp}/packet.timeout`, Buffer.from(id, 'utf8'));
    return id;
  }

  /** A packet this chain sent, as stored at send, not closed yet (acknowledge, closeTimedOut). */
  async _sentOpen(ctx, packetJson) {
    const packet = packets.checkPacket(packetJson);
    const config = await requireConfig(ctx);
    if (packet.srcChain !== config.chain)
      fail('INVALID_INPUT', `the packet was sent from chain ${packet.srcChain}, this is ${config.chain}`, { field: '/packet/srcChain' });
    const sent = await getJson(ctx, packets.packetKey(packet.srcApp, packet.dstChain, packet.dstApp, packet.seq));
    const id = packets.packetIdOf(packet);
    if (!sent)
      fail('NOT_FOUND', `app ${packet.srcApp} sent no packet ${packet.seq} to ${packet.dstChain}/${packet.dstApp}`, { packetId: id });
    const commitment = packets.commitmentOf(packet);
    if (sent.commitment !== commitment || sent.id !== id)
      fail(
        'INVALID_INPUT',
        `the packet is not the one sent as ${packet.dstChain}/${packet.dstApp} seq ${packet.seq} (its commitment differs)`,
        {
          field: '/packet',
        },
      );
    const closed = await getJson(ctx, closeKey(packet));
    if (closed) fail('CONFLICT', `packet ${id} is already ${closed.state}`, { packetId: id, state: closed.state, txId: closed.tx });
    return { config, packet, id, commitment };
  }

  async acknowledge(ctx, packetJson, ackText, attestationsJson) {
    const { config, packet, id, commitment } = await this._sentOpen(ctx, packetJson);
    const ack = checkAck(ackText);
    if (ack.packetId !== id) fail('INVALID_INPUT', `the ack is for packet ${ack.packetId}, not ${id}`, { field: '/ack/packetId' });
    if (ack.commitment !== commitment) fail('INVALID_INPUT', "the ack's commitment is not the packet's", { field: '/ack/commitment' });
    requireAttested(config, 'ack', ackCommitmentOf(ack), attestationsJson);
    await putCanonical(ctx, closeKey(packet), { ...ack, state: 'acknowledged', tx: ctx.stub.getTxID() });
    const bytes = Buffer.from(ackJson(ack), 'utf8');
    ctx.stub.setEvent(`bsn/${packet.srcApp}/packet.acknowledged`, bytes);
    return bytes.toString('utf8');
  }

  async closeTimedOut(ctx, packetJson, attestationsJson) {
    const { config, packet, id, commitment } = await this._sentOpen(ctx, packetJson);
    requireAttested(config, 'timeout', commitment, attestationsJson);
    await putCanonical(ctx, closeKey(packet), { commitment, packetId: id, state: 'timed-out', tx: ctx.stub.getTxID() });
    ctx.stub.setEvent(`bsn/${packet.srcApp}/packet.closed`, Buffer.from(id, 'utf8'));
    return id;
  }

  async packetState(ctx, packetJson, side) {
    const packet = packets.checkPacket(packetJson);
    const id = packets.packetIdOf(packet);
    if (side === 'target') {
      const r = await getJson(ctx, receiptKey(id));
      if (!r) return JSON.stringify({ side, state: 'none' });
      if (r.state === 'delivered') return JSON.stringify({ side, state: 'delivered', ack: ackOf(r), txId: r.tx });
      return JSON.stringify({ side, state: 'timed-out', txId: r.tx });
    }
    if (side !== 'source') fail('INVALID_INPUT', '/side must be source or target', { field: '/side' });
    const sent = await getJson(ctx, packets.packetKey(packet.srcApp, packet.dstChain, packet.dstApp, packet.seq));
    if (!sent || sent.id !== id || sent.commitment !== packets.commitmentOf(packet)) return JSON.stringify({ side, state: 'unknown' });
    const closed = await getJson(ctx, closeKey(packet));
    if (!closed) return JSON.stringify({ side, state: 'sent', txId: sent.tx });
    if (closed.state === 'acknowledged') return JSON.stringify({ side, state: 'acknowledged', ack: ackOf(closed), txId: closed.tx });
    return JSON.stringify({ side, state: 'timed-out', txId: closed.tx });
  }
}

module.exports = { InterchainContract };

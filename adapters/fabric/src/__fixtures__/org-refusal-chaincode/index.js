'use strict';
// Test chaincode of the Fabric adapter's endorsement-refusal test. `getMspID()` is the MSP of
// the peer executing the proposal (CORE_PEER_LOCALMSPID of this chaincode process: the devnet
// runs one server per org for it), so `putUnlessOrg2` endorses on Org1's peer and is refused on
// Org2's: one org refusing a transaction the endorsement policy needs both orgs for. Two more
// writes make the orgs' answers differ, once or always.
const { Contract } = require('fabric-contract-api');

const REFUSING_MSP = 'Org2MSP';
/** Keys Org2's server has answered putAfterOrg2CatchesUp for (in this process). */
const seenByOrg2 = new Set();

class OrgRefusal extends Contract {
  constructor() {
    super('OrgRefusal');
  }

  // Writes answer the same bytes on every peer: endorsements whose responses differ do not
  // make a transaction.

  /** Writes `key` on every endorsing peer. */
  async put(ctx, key, value) {
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    return key;
  }

  /** Like put, but Org2MSP's peer refuses to endorse it (the chaincode fails there, nothing else). */
  async putUnlessOrg2(ctx, key, value) {
    const peerMsp = ctx.stub.getMspID();
    if (peerMsp === REFUSING_MSP) {
      throw new Error(`org-refusal: ${peerMsp} declines putUnlessOrg2 of "${key}" (this org does not take part)`);
    }
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    return key;
  }

  /**
   * Like put, but Org2MSP's peer answers differently the first time it sees `key` — as a peer
   * one block behind would (e.g. not yet holding a request id the other org already has) —
   * and like Org1's afterwards. The state lives in this server process, one per org.
   */
  async putAfterOrg2CatchesUp(ctx, key, value) {
    if (ctx.stub.getMspID() === REFUSING_MSP && !seenByOrg2.has(key)) {
      seenByOrg2.add(key);
      return `${key} (stale view)`;
    }
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    return key;
  }

  /** Like put, but each org's peer answers with its own MSP id: the endorsements never agree. */
  async putDisagreeing(ctx, key, value) {
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    return ctx.stub.getMspID();
  }

  /** `{found, value?}`, and which org's peer answered. */
  async get(ctx, key) {
    const bytes = await ctx.stub.getState(key);
    const found = Boolean(bytes && bytes.length > 0);
    return JSON.stringify({ found, ...(found && { value: Buffer.from(bytes).toString('utf8') }), peerMsp: ctx.stub.getMspID() });
  }
}

module.exports.contracts = [OrgRefusal];

'use strict';
// The BSN sample token, v1, as a Fabric contract: its initializer names the owner, the owner
// mints, holders transfer; every write emits one Transfer event (JSON).
const { Contract } = require('fabric-contract-api');
const t = require('./token.js');

class SampleToken extends Contract {
  constructor() {
    super('SampleToken');
  }

  /** Run once, by the app's creation (its initializer): names the owner, the only one who mints. */
  async initialize(ctx, owner) {
    if ((await ctx.stub.getState(t.OWNER))?.length) throw new Error('the token is initialized already');
    await ctx.stub.putState(t.OWNER, Buffer.from(t.checkAccount(owner), 'utf8'));
    return owner;
  }

  async mint(ctx, to, amount) {
    await t.requireOwner(ctx);
    const value = t.amountOf(amount);
    t.checkAccount(to);
    await t.writeBig(ctx, t.balanceKey(to), (await t.readBig(ctx, t.balanceKey(to))) + value);
    await t.writeBig(ctx, t.SUPPLY, (await t.readBig(ctx, t.SUPPLY)) + value);
    t.transferEvent(ctx, '', to, value);
    return value.toString();
  }

  async transfer(ctx, to, amount) {
    const value = t.amountOf(amount);
    const from = t.callerAccount(ctx);
    await t.move(ctx, from, t.checkAccount(to), value);
    t.transferEvent(ctx, from, to, value);
    return value.toString();
  }

  async balanceOf(ctx, account) {
    return (await t.readBig(ctx, t.balanceKey(t.checkAccount(account)))).toString();
  }

  async totalSupply(ctx) {
    return (await t.readBig(ctx, t.SUPPLY)).toString();
  }
}

module.exports.contracts = [SampleToken];

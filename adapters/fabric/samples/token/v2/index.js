'use strict';
// The BSN sample token, v2: v1's methods and state unchanged, plus burn (a holder destroys
// some of its own tokens, a Transfer to '') and version.
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

  async burn(ctx, amount) {
    const value = t.amountOf(amount);
    const from = t.callerAccount(ctx);
    const balance = await t.readBig(ctx, t.balanceKey(from));
    if (balance < value) throw new Error(`insufficient balance: ${balance} < ${value}`);
    await t.writeBig(ctx, t.balanceKey(from), balance - value);
    await t.writeBig(ctx, t.SUPPLY, (await t.readBig(ctx, t.SUPPLY)) - value);
    t.transferEvent(ctx, from, '', value);
    return value.toString();
  }

  async balanceOf(ctx, account) {
    return (await t.readBig(ctx, t.balanceKey(t.checkAccount(account)))).toString();
  }

  async totalSupply(ctx) {
    return (await t.readBig(ctx, t.SUPPLY)).toString();
  }

  async version() {
    return '2';
  }
}

module.exports.contracts = [SampleToken];

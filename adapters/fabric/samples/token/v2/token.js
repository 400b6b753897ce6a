'use strict';
// The token's state and rules, shared by v1 and v2 (each version ships its own copy: a
// package holds everything it runs). Balances are decimal strings (BigInt), keyed by BSN
// account id: `<mspId>:<first 20 bytes of SHA-256 of the P-256 public key, hex>`, the id the
// BSN Fabric adapter gives the caller's MSP identity.
const { createHash, X509Certificate } = require('node:crypto');

const OWNER = 'owner';
const SUPPLY = 'supply';
const balanceKey = (account) => `balance/${account}`;

/** The BSN account of the transaction's creator. */
function callerAccount(ctx) {
  const pem = Buffer.from(ctx.clientIdentity.getIDBytes()).toString('utf8');
  const jwk = new X509Certificate(pem).publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  return `${ctx.clientIdentity.getMSPID()}:${createHash('sha256').update(point).digest('hex').slice(0, 40)}`;
}

function amountOf(text) {
  if (typeof text !== 'string' || !/^[1-9][0-9]{0,36}$/.test(text))
    throw new Error(`amount must be a positive integer, not ${JSON.stringify(text)}`);
  return BigInt(text);
}

function checkAccount(account) {
  if (typeof account !== 'string' || !/^[A-Za-z0-9._-]{1,64}:[0-9a-f]{40}$/.test(account))
    throw new Error(`account must be a BSN account id (<mspId>:<40 hex>), not ${JSON.stringify(account)}`);
  return account;
}

async function readBig(ctx, key) {
  const bytes = await ctx.stub.getState(key);
  return bytes && bytes.length > 0 ? BigInt(Buffer.from(bytes).toString('utf8')) : 0n;
}

const writeBig = (ctx, key, value) => ctx.stub.putState(key, Buffer.from(value.toString(), 'utf8'));

function transferEvent(ctx, from, to, amount) {
  ctx.stub.setEvent('Transfer', Buffer.from(JSON.stringify({ from, to, amount: amount.toString() }), 'utf8'));
}

async function requireOwner(ctx) {
  const owner = Buffer.from((await ctx.stub.getState(OWNER)) || []).toString('utf8');
  if (!owner) throw new Error('the token is not initialized');
  if (owner !== callerAccount(ctx)) throw new Error('only the token owner may mint');
}

async function move(ctx, from, to, amount) {
  const balance = await readBig(ctx, balanceKey(from));
  if (balance < amount) throw new Error(`insufficient balance: ${balance} < ${amount}`);
  await writeBig(ctx, balanceKey(from), balance - amount);
  await writeBig(ctx, balanceKey(to), (await readBig(ctx, balanceKey(to))) + amount);
}

module.exports = { OWNER, SUPPLY, balanceKey, callerAccount, amountOf, checkAccount, readBig, writeBig, transferEvent, requireOwner, move };

'use strict';
// The Fabric devnet's test chaincode: put and get of one key, nothing else. The BSN preset
// data contract is the Fabric adapter's own chaincode; this one only proves the network.
const { Contract } = require('fabric-contract-api');

class DevnetKv extends Contract {
  constructor() {
    super('DevnetKv');
  }

  async put(ctx, key, value) {
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    return value;
  }

  async get(ctx, key) {
    const value = await ctx.stub.getState(key);
    if (!value || value.length === 0) throw new Error(`key "${key}" not found`);
    return Buffer.from(value).toString('utf8');
  }
}

module.exports.contracts = [DevnetKv];

'use strict';
// Entry of the BSN preset chaincode (fabric-contract-api): `fabric-chaincode-node server
// --module-path <this folder>` serves the contracts listed here. The first is the default
// (functions called without a contract prefix); interchain delivery is `BsnInterchain:<fn>`.
const { PresetKvContract } = require('./lib/preset-kv.js');
const { InterchainContract } = require('./lib/interchain-contract.js');

module.exports.PresetKvContract = PresetKvContract;
module.exports.InterchainContract = InterchainContract;
module.exports.contracts = [PresetKvContract, InterchainContract];

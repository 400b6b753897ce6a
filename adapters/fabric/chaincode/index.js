'use strict';
// Entry of the BSN preset chaincode (fabric-contract-api): `fabric-chaincode-node server
// --module-path <this folder>` serves the contracts listed here.
const { PresetKvContract } = require('./lib/preset-kv.js');

module.exports.PresetKvContract = PresetKvContract;
module.exports.contracts = [PresetKvContract];

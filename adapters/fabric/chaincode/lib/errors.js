'use strict';
// Errors the chaincode raises carry a BSN error code in brackets at the start of the message,
// e.g. `[BSN:UNAUTHORIZED] …`. Fabric hands the message back to the client verbatim (inside
// the endorsement failure), and the adapter turns the code into its typed error.

const CODES = ['INVALID_INPUT', 'UNAUTHORIZED', 'NOT_FOUND', 'CONFLICT', 'REJECTED_BY_CHAIN'];

class BsnChaincodeError extends Error {
  /**
   * @param {string} code one of CODES
   * @param {string} message
   * @param {Record<string, unknown>} [data] JSON-safe detail, appended as ` {json}`
   */
  constructor(code, message, data) {
    if (!CODES.includes(code)) throw new Error(`unknown BSN error code ${code}`);
    super(`[BSN:${code}] ${message}${data ? ` ${JSON.stringify(data)}` : ''}`);
    this.code = code;
  }
}

const fail = (code, message, data) => {
  throw new BsnChaincodeError(code, message, data);
};

module.exports = { BsnChaincodeError, fail, CODES };

'use strict';
// Input rules of the preset contract, the same numbers as the adapter's LIMITS
// (adapters/fabric/src/limits.ts; a test checks they agree) and core's validation rules.
const { fail } = require('./errors.js');

const LIMITS = Object.freeze({ maxValueBytes: 65536, maxKeyBytes: 1024, maxPageSize: 100 });
const ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** `<mspId>:<40 hex>`: what accountOf() makes of an MSP identity (see accounts.js). */
const ACCOUNT = /^[A-Za-z0-9._-]{1,64}:[0-9a-f]{40}$/;
const MODES = ['private', 'consortium'];
const PLACEMENTS = ['shared', 'dedicated'];

function checkId(value, field) {
  if (typeof value !== 'string' || !ID.test(value))
    fail('INVALID_INPUT', `${field} must be 1-128 characters of A-Z a-z 0-9 . _ : -`, { field });
  return value;
}

function isWellFormed(s) {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

/** Keys: non-empty UTF-8, no U+0000, at most maxKeyBytes bytes; never normalised. */
function checkKey(value, field = '/key') {
  if (typeof value !== 'string' || value.length === 0) fail('INVALID_INPUT', `${field} must not be empty`, { field });
  if (value.includes('\u0000')) fail('INVALID_INPUT', `${field} must not contain U+0000`, { field });
  if (!isWellFormed(value)) fail('INVALID_INPUT', `${field} must be valid UTF-8`, { field });
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > LIMITS.maxKeyBytes)
    fail('INVALID_INPUT', `${field} is ${bytes} UTF-8 bytes, more than the ${LIMITS.maxKeyBytes} allowed`, { field });
  return value;
}

function checkPrefix(value, field = '/prefix') {
  return value === '' ? '' : checkKey(value, field);
}

/** Values: 1..maxValueBytes bytes (an empty write would be a delete on Fabric). */
function checkValue(value, field = '/value') {
  if (!Buffer.isBuffer(value) || value.length === 0)
    fail('INVALID_INPUT', `${field} must not be empty (an empty write is a delete on Fabric)`, { field });
  if (value.length > LIMITS.maxValueBytes)
    fail('INVALID_INPUT', `${field} is ${value.length} bytes, more than the ${LIMITS.maxValueBytes} allowed`, { field });
  return value;
}

function checkAccount(value, field) {
  if (typeof value !== 'string' || !ACCOUNT.test(value))
    fail('INVALID_INPUT', `${field} must be an account id <mspId>:<40 hex>`, { field });
  return value;
}

function checkLimit(value, field = '/limit') {
  const n = Number(value);
  if (!/^[0-9]{1,4}$/.test(String(value)) || n < 1 || n > LIMITS.maxPageSize) {
    fail('INVALID_INPUT', `${field} must be an integer from 1 to ${LIMITS.maxPageSize}`, { field });
  }
  return n;
}

module.exports = { LIMITS, MODES, PLACEMENTS, checkId, checkKey, checkPrefix, checkValue, checkAccount, checkLimit };

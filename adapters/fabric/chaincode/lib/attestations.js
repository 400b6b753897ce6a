'use strict';
// Counting t-of-M city-node attestations on chain (docs/interchain-delivery.md): each is a
// secp256k1 signature r‖s‖v over SHA-256("bsn:interchain-attestation:v1\n" ‖ kind byte ‖
// commitment) by one of the pinned public keys. The chain agrees with core's off-chain
// `countAttestations`, which recovers the signer from v: here the signature is verified with
// node:crypto against each pinned key, S must be low, and v must name the parity of R's y
// (R rebuilt below), so an attestation with a wrong v counts nowhere. Each signer once.
const { createHash, createPublicKey, verify } = require('node:crypto');
const { fail } = require('./errors.js');

const DOMAIN = 'bsn:interchain-attestation:v1\n';
const KINDS = { packet: 1, ack: 2, timeout: 3 };
const MAX_ATTESTATIONS = 64;
const MAX_ATTESTERS = 64;

const P = 2n ** 256n - 2n ** 32n - 977n;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const G = [
  0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n,
  0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n,
];

const mod = (a, m = P) => ((a % m) + m) % m;
function pow(b, e, m) {
  let r = 1n;
  for (b = mod(b, m); e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}
const inv = (a, m) => pow(a, m - 2n, m);

// Jacobian points [X, Y, Z] on y² = x³ + 7; Z = 0 is the point at infinity.
function double([x, y, z]) {
  if (z === 0n || y === 0n) return [0n, 1n, 0n];
  const a = (x * x) % P;
  const b = (y * y) % P;
  const c = (b * b) % P;
  const d = mod(2n * ((x + b) ** 2n - a - c));
  const e = (3n * a) % P;
  const x3 = mod(e * e - 2n * d);
  return [x3, mod(e * (d - x3) - 8n * c), (2n * y * z) % P];
}

function add(p1, p2) {
  if (p1[2] === 0n) return p2;
  if (p2[2] === 0n) return p1;
  const [x1, y1, z1] = p1;
  const [x2, y2, z2] = p2;
  const z1z1 = (z1 * z1) % P;
  const z2z2 = (z2 * z2) % P;
  const u1 = (x1 * z2z2) % P;
  const u2 = (x2 * z1z1) % P;
  const s1 = (((y1 * z2) % P) * z2z2) % P;
  const s2 = (((y2 * z1) % P) * z1z1) % P;
  const h = mod(u2 - u1);
  const r = mod(s2 - s1);
  if (h === 0n) return r === 0n ? double(p1) : [0n, 1n, 0n];
  const h2 = (h * h) % P;
  const h3 = (h * h2) % P;
  const u1h2 = (u1 * h2) % P;
  const x3 = mod(r * r - h3 - 2n * u1h2);
  return [x3, mod(r * (u1h2 - x3) - s1 * h3), (((h * z1) % P) * z2) % P];
}

/** a·G + b·Q in affine coordinates, or null for infinity (Shamir's trick). */
function combine(a, b, q) {
  const g = [G[0], G[1], 1n];
  const qj = [q[0], q[1], 1n];
  const both = add(g, qj);
  let acc = [0n, 1n, 0n];
  for (let i = 255n; i >= 0n; i--) {
    acc = double(acc);
    const bit = ((a >> i) & 1n) | (((b >> i) & 1n) << 1n);
    if (bit === 1n) acc = add(acc, g);
    else if (bit === 2n) acc = add(acc, qj);
    else if (bit === 3n) acc = add(acc, both);
  }
  if (acc[2] === 0n) return null;
  const zi = inv(acc[2], P);
  const zi2 = (zi * zi) % P;
  return [(acc[0] * zi2) % P, (((acc[1] * zi2) % P) * zi) % P];
}

const big = (buf) => BigInt(`0x${Buffer.from(buf).toString('hex') || '0'}`);

/** A pinned attester key (65-byte uncompressed hex) as a KeyObject and its point, or null if it is not on secp256k1. */
function attesterKey(hex) {
  if (typeof hex !== 'string' || !/^04[0-9a-f]{128}$/.test(hex)) return null;
  const point = Buffer.from(hex, 'hex');
  try {
    const key = createPublicKey({
      key: { kty: 'EC', crv: 'secp256k1', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
      format: 'jwk',
    });
    return { hex, key, q: [big(point.subarray(1, 33)), big(point.subarray(33))] };
  } catch {
    return null;
  }
}

/** Why a set of attesters may not be pinned (M ≥ 1, each key valid and once, M/2 < t ≤ M), or undefined. */
function attestersFault(publicKeys, threshold) {
  if (!Array.isArray(publicKeys) || publicKeys.length === 0) return { field: '/publicKeys', why: 'no attesters pinned' };
  if (publicKeys.length > MAX_ATTESTERS) return { field: '/publicKeys', why: `more than ${MAX_ATTESTERS} attesters` };
  const seen = new Set();
  for (const [i, k] of publicKeys.entries()) {
    if (!attesterKey(k)) return { field: `/publicKeys/${i}`, why: `attester ${i} is not a secp256k1 public key (130 hex digits, 04…)` };
    if (seen.has(k)) return { field: `/publicKeys/${i}`, why: `attester ${i} is pinned twice` };
    seen.add(k);
  }
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > publicKeys.length)
    return { field: '/threshold', why: `threshold ${String(threshold)} is outside 1..${publicKeys.length}` };
  if (threshold * 2 <= publicKeys.length)
    return { field: '/threshold', why: `threshold ${threshold} of ${publicKeys.length} is not a majority` };
  return undefined;
}

/** The bytes whose SHA-256 an attester signs. */
function attestedMessage(kind, commitmentHex) {
  return Buffer.concat([Buffer.from(DOMAIN, 'utf8'), Buffer.from([KINDS[kind]]), Buffer.from(commitmentHex, 'hex')]);
}

/** Whether `signatureHex` (r‖s‖v) is `key`'s low-S signature of the message, with v naming R's y parity. */
function signedBy(key, message, digest, signatureHex) {
  const sig = Buffer.from(signatureHex, 'hex');
  const r = big(sig.subarray(0, 32));
  const s = big(sig.subarray(32, 64));
  const v = sig[64];
  if (r < 1n || r >= N || s < 1n || s > N / 2n || (v !== 27 && v !== 28)) return false;
  let valid = false;
  try {
    valid = verify('sha256', message, { key: key.key, dsaEncoding: 'ieee-p1363' }, sig.subarray(0, 64));
  } catch {
    valid = false;
  }
  if (!valid) return false;
  const w = inv(s, N);
  const R = combine(mod(big(digest) * w, N), mod(r * w, N), key.q);
  return R !== null && R[0] === r && Number(R[1] & 1n) === v - 27;
}

/**
 * The distinct pinned signers of attestations of `kind` over `commitmentHex`; UNAUTHORIZED
 * (`attestations below threshold`) when fewer than t. Attestations of another kind or
 * commitment, malformed ones and unpinned signers count for nothing.
 */
function requireAttested(config, kind, commitmentHex, attestationsJson) {
  let list;
  try {
    list = JSON.parse(attestationsJson);
  } catch {
    fail('INVALID_INPUT', 'the attestations are not JSON', { field: '/attestations' });
  }
  if (!Array.isArray(list)) fail('INVALID_INPUT', 'the attestations must be a list', { field: '/attestations' });
  if (list.length > MAX_ATTESTATIONS) fail('INVALID_INPUT', `more than ${MAX_ATTESTATIONS} attestations`, { field: '/attestations' });
  const keys = config.publicKeys.map(attesterKey);
  const message = attestedMessage(kind, commitmentHex);
  const digest = createHash('sha256').update(message).digest();
  const signers = new Set();
  for (const a of list) {
    if (typeof a !== 'object' || a === null || a.kind !== kind || a.commitment !== commitmentHex) continue;
    if (typeof a.signature !== 'string' || !/^[0-9a-f]{130}$/.test(a.signature)) continue;
    const who = keys.find((k) => k && !signers.has(k.hex) && signedBy(k, message, digest, a.signature));
    if (who) signers.add(who.hex);
  }
  if (signers.size < config.threshold)
    fail(
      'UNAUTHORIZED',
      `attestations below threshold: ${signers.size} of the ${config.threshold} pinned attesters needed signed this ${kind}`,
      {
        kind,
        commitment: commitmentHex,
        signers: signers.size,
        threshold: config.threshold,
      },
    );
  return [...signers];
}

module.exports = { KINDS, attestersFault, attesterKey, requireAttested, signedBy, attestedMessage };

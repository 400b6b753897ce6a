// Interchain parts that need no network: the chaincode's packet encoding against core's, the
// signature-policy reading and the roots checks.
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { canonicalJson, packetBytes, packetCommitment, packetId, type Packet } from '@bsn/contract';
import { parseRefusal } from '../errors.js';
import { checkDerSignature } from './msp.js';
import { dedicatedChannelName } from '../channels/names.js';
import { channelPinned, checkRoots, parseSignaturePolicy } from './trust.js';

const require = createRequire(import.meta.url);
const packets = require('../../chaincode/lib/packets.js') as {
  canonical(p: object): string;
  packetIdOf(p: Packet): string;
  commitmentOf(p: Packet): string;
  checkFields(json: string, txTime: number): Record<string, unknown>;
  MAX_PAYLOAD_BYTES: number;
};
const deliveryConfig = require('../../chaincode/lib/delivery-config.js') as {
  dedicatedChannelOf(appId: string): string;
  memberOrgs(app: { admin: string; members: string[] }): string[];
};

const packet = (over: Partial<Packet> = {}): Packet => ({
  v: 1,
  srcChain: 'fabric-dev',
  srcApp: 'app-1',
  dstChain: 'eth.main_2',
  dstApp: 'Target:app.1',
  seq: 7,
  method: 'do_it.now',
  payload: Buffer.from('héllo wörld').toString('base64'),
  timeout: 1_900_000_000_000,
  grantRef: 'grant-1',
  ...over,
});

function refusal(f: () => unknown) {
  try {
    f();
  } catch (e) {
    return parseRefusal((e as Error).message);
  }
  return undefined;
}

describe('the chaincode encodes packets as core does', () => {
  test("canonical bytes, packet id and commitment are core's (RFC 8785, domain-separated SHA-256)", () => {
    for (const p of [packet(), packet({ seq: 1, payload: '' }), packet({ seq: Number.MAX_SAFE_INTEGER, dstApp: 'Z', method: '_' })]) {
      expect(packets.canonical(p)).toBe(canonicalJson(p));
      expect(Buffer.from(packets.canonical(p))).toEqual(Buffer.from(packetBytes(p)));
      expect(packets.packetIdOf(p)).toBe(packetId(p));
      expect(packets.commitmentOf(p)).toBe(packetCommitment(p));
    }
    expect(packets.canonical({ tx: 'a', id: 'b', commitment: 'c' })).toBe(canonicalJson({ tx: 'a', id: 'b', commitment: 'c' }));
  });

  test("the chaincode refuses what core's checkPacket refuses, and a timeout already passed", () => {
    const { v: _v, srcApp: _a, seq: _s, ...fields } = packet();
    const json = (over: object) => JSON.stringify({ ...fields, ...over });
    expect(packets.checkFields(json({}), 0)).toEqual(fields);
    expect(refusal(() => packets.checkFields(json({ dstChain: 'Upper' }), 0))).toMatchObject({
      code: 'INVALID_INPUT',
      data: { field: '/packet/dstChain' },
    });
    expect(refusal(() => packets.checkFields(json({ dstApp: 'a/b' }), 0))).toMatchObject({
      code: 'INVALID_INPUT',
      data: { field: '/packet/dstApp' },
    });
    expect(refusal(() => packets.checkFields(json({ method: '1x' }), 0))).toMatchObject({
      code: 'INVALID_INPUT',
      data: { field: '/packet/method' },
    });
    expect(refusal(() => packets.checkFields(json({ payload: 'no base64!' }), 0))).toMatchObject({
      code: 'INVALID_INPUT',
      data: { field: '/packet/payload' },
    });
    expect(
      refusal(() => packets.checkFields(json({ payload: Buffer.alloc(packets.MAX_PAYLOAD_BYTES + 1).toString('base64') }), 0)),
    ).toMatchObject({ code: 'INVALID_INPUT', data: { field: '/packet/payload' } });
    expect(refusal(() => packets.checkFields(json({ timeout: 1.5 }), 0))).toMatchObject({
      code: 'INVALID_INPUT',
      data: { field: '/packet/timeout' },
    });
    expect(refusal(() => packets.checkFields(json({}), fields.timeout))).toMatchObject({
      code: 'INVALID_INPUT',
      data: { field: '/packet/timeout' },
    });
    expect(refusal(() => packets.checkFields(json({ seq: 3 }), 0))).toMatchObject({
      code: 'INVALID_INPUT',
      data: { field: '/packet/seq' },
    });
    expect(refusal(() => packets.checkFields('[]', 0))).toMatchObject({ code: 'INVALID_INPUT', data: { field: '/packet' } });
  });
});

describe('trust roots', () => {
  test('signature policies as the devnet and peer lifecycle write them', () => {
    expect(parseSignaturePolicy("AND('Org1MSP.peer','Org2MSP.peer')")).toEqual({
      kind: 'all-of',
      mspIds: ['Org1MSP', 'Org2MSP'],
      role: 'peer',
    });
    expect(parseSignaturePolicy("OR('Org1MSP.member', 'Org2MSP.member')")).toEqual({
      kind: 'n-of',
      n: 1,
      mspIds: ['Org1MSP', 'Org2MSP'],
      role: 'member',
    });
    expect(parseSignaturePolicy("OutOf(2, 'A.peer', 'B.peer', 'C.peer')")).toEqual({
      kind: 'n-of',
      n: 2,
      mspIds: ['A', 'B', 'C'],
      role: 'peer',
    });
    expect(parseSignaturePolicy("OutOf(2, 'A.peer', 'B.peer')")).toEqual({ kind: 'all-of', mspIds: ['A', 'B'], role: 'peer' });
    // Nested gates, mixed roles, admins, a repeated org: not read (the adapter then asks for all orgs).
    expect(parseSignaturePolicy("AND('A.peer', OR('B.peer','C.peer'))")).toBeUndefined();
    expect(parseSignaturePolicy("AND('A.peer','B.member')")).toBeUndefined();
    expect(parseSignaturePolicy("AND('A.admin')")).toBeUndefined();
    expect(parseSignaturePolicy("AND('A.peer','A.peer')")).toBeUndefined();
    expect(parseSignaturePolicy("OutOf(0, 'A.peer')")).toBeUndefined();
  });

  test('empty, default and malformed roots are refused before any evidence is read', () => {
    const bad = (roots: unknown, framework = 'fabric') => {
      const r = checkRoots({ framework, chain: 'dev', roots: roots as Record<string, unknown> });
      return r.ok ? 'accepted' : r.reason;
    };
    expect(bad(undefined)).toMatch(/empty/);
    expect(bad({})).toMatch(/empty/);
    expect(bad({ channel: 'c' }, 'ethereum')).toMatch(/not fabric/);
    expect(bad({ channel: '', chaincode: 'cc' })).toMatch(/channel/);
    expect(bad({ channel: 'c', chaincode: '' })).toMatch(/chaincode/);
    expect(bad({ channel: 'c', chaincode: 'cc', orgs: [] })).toMatch(/no peer organization/);
    expect(bad({ channel: 'c', chaincode: 'cc', orgs: [{ mspId: 'Org1MSP', caCerts: [] }] })).toMatch(/pins no CA certificate/);
    expect(bad({ channel: 'c', chaincode: 'cc', orgs: [{ mspId: 'Org1MSP', caCerts: ['not a pem'] }] })).toMatch(/not a PEM certificate/);
    expect(bad({ channel: 'c', chaincode: 'cc', orgs: [{ mspId: '', caCerts: ['x'] }] })).toMatch(/no MSP id/);
    expect(bad({ channel: 'c', chaincode: 'cc', dedicatedChannels: 'yes' })).toMatch(/dedicatedChannels must be true or false/);
  });

  test("a dedicated app's channel: the chaincode names it as the adapter does, and roots accept only that app's", () => {
    for (const appId of ['a', 'Target:app.1', 'x'.repeat(128), 'ic-d-1f2e']) {
      expect(deliveryConfig.dedicatedChannelOf(appId)).toBe(dedicatedChannelName(appId));
    }
    const roots = { channel: 'bsnchannel', dedicatedChannels: true };
    expect(channelPinned(roots, 'bsnchannel', 'anything')).toBe(true);
    expect(channelPinned(roots, dedicatedChannelName('app-d'), 'app-d')).toBe(true);
    expect(channelPinned(roots, dedicatedChannelName('app-d'), 'app-e')).toBe(false);
    expect(channelPinned(roots, dedicatedChannelName('app-d'), undefined)).toBe(false);
    expect(channelPinned(roots, dedicatedChannelName(''), '')).toBe(false);
    expect(channelPinned({ ...roots, dedicatedChannels: false }, dedicatedChannelName('app-d'), 'app-d')).toBe(false);
    // Who may configure a dedicated channel: the orgs of the app's admin and members.
    expect(deliveryConfig.memberOrgs({ admin: 'Org1MSP:aa', members: ['Org1MSP:aa', 'Org2MSP:bb', 'Org1MSP:cc'] })).toEqual([
      'Org1MSP',
      'Org2MSP',
    ]);
  });

  test('signatures must be strict DER with low S', () => {
    const der = (r: string, s: string) => {
      const ri = Buffer.from(r, 'hex');
      const si = Buffer.from(s, 'hex');
      return Uint8Array.from([0x30, ri.length + si.length + 4, 0x02, ri.length, ...ri, 0x02, si.length, ...si]);
    };
    expect(checkDerSignature(der('01', '01'))).toBeUndefined();
    expect(checkDerSignature(der('0001', '01'))).toMatch(/DER/); // not minimal
    expect(checkDerSignature(der('80', '01'))).toMatch(/DER/); // negative
    expect(checkDerSignature(der('01', '00'))).toMatch(/range/);
    expect(checkDerSignature(der('01', '00ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550'))).toMatch(/high S/);
    expect(checkDerSignature(Uint8Array.from([...der('01', '01'), 0]))).toMatch(/DER/);
  });
});

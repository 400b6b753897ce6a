import { describe, expect, it } from 'vitest';
import { generatePrivateKey, publicKeyOf } from '../crypto/index.js';
import type { KeyAlgorithm } from '../contract/keys.js';
import { toHex } from '../encoding/bytes.js';
import { packetId } from '../interchain/packet.js';
import { attesterPolicyFault, checkAttesterPolicy, checkEmitRequest, checkEvidenceSubject } from './interchain.js';

const refused = (field: string) => expect.objectContaining({ code: 'INVALID_INPUT', field });

const input = {
  dstChain: 'peer-chain',
  dstApp: 'target',
  method: 'ping',
  payload: 'aGk=',
  timeout: 1_900_000_000_000,
  grantRef: 'grant-1',
};

describe('checkEmitRequest', () => {
  it('returns the source app, the fields the sender chose and the packet for a seq the chain assigns', () => {
    const plan = checkEmitRequest({ appId: 'app-1' }, { ...input, seq: 99, srcApp: 'forged', v: 2 }, 'dev');
    expect(plan.srcApp).toBe('app-1');
    expect(plan.fields).toEqual({ srcChain: 'dev', ...input });
    const packet = plan.packetAt(7);
    expect(packet).toEqual({ v: 1, srcChain: 'dev', srcApp: 'app-1', seq: 7, ...input });
    expect(packetId(packet)).toMatch(/^[0-9a-f]{64}$/);
    expect(() => plan.packetAt(0)).toThrow(refused('/packet/seq'));
  });

  it('refuses a bad app, a packet that is not an object, and every malformed field, naming it', () => {
    expect(() => checkEmitRequest(null, input, 'dev')).toThrow(refused('/app'));
    expect(() => checkEmitRequest({ appId: 'a b' }, input, 'dev')).toThrow(refused('/app/appId'));
    expect(() => checkEmitRequest({ appId: 'a' }, null, 'dev')).toThrow(refused('/packet'));
    expect(() => checkEmitRequest({ appId: 'a' }, 'packet', 'dev')).toThrow(refused('/packet'));
    const malformed: Record<keyof typeof input, unknown> = {
      dstChain: 'Bad Chain',
      dstApp: '',
      method: '1x',
      payload: '***',
      timeout: 0,
      grantRef: undefined,
    };
    for (const [name, value] of Object.entries(malformed)) {
      expect(() => checkEmitRequest({ appId: 'a' }, { ...input, [name]: value }, 'dev')).toThrow(refused(`/packet/${name}`));
    }
    expect(() => checkEmitRequest({ appId: 'a' }, input, 'Not A Chain')).toThrow(refused('/packet/srcChain'));
  });
});

describe('checkEvidenceSubject', () => {
  const id = 'ab'.repeat(32);
  it('returns a packet subject, copied', () => {
    const subject = { kind: 'packet' as const, packetId: id };
    expect(checkEvidenceSubject(subject)).toEqual(subject);
    expect(checkEvidenceSubject(subject)).not.toBe(subject);
  });

  it('returns an ack or timeout subject where the adapter proves them', () => {
    for (const kind of ['ack', 'timeout'] as const) {
      expect(checkEvidenceSubject({ kind, packetId: id }, ['packet', 'ack', 'timeout'])).toEqual({ kind, packetId: id });
    }
  });

  it('refuses anything else, naming the field', () => {
    expect(() => checkEvidenceSubject(undefined)).toThrow(refused('/subject'));
    expect(() => checkEvidenceSubject('packet')).toThrow(refused('/subject'));
    expect(() => checkEvidenceSubject({ kind: 'ack', packetId: id })).toThrow(refused('/subject/kind'));
    expect(() => checkEvidenceSubject({ kind: 'ack', packetId: id })).toThrow(/acks and timeouts are proven by adapters that deliver/);
    expect(() => checkEvidenceSubject({ kind: 'receipt', packetId: id }, ['packet', 'ack', 'timeout'])).toThrow(refused('/subject/kind'));
    expect(() => checkEvidenceSubject({ packetId: id })).toThrow(refused('/subject/kind'));
    expect(() => checkEvidenceSubject({ kind: 'packet', packetId: 'AB'.repeat(32) })).toThrow(refused('/subject/packetId'));
    expect(() => checkEvidenceSubject({ kind: 'packet', packetId: id.slice(2) })).toThrow(refused('/subject/packetId'));
    expect(() => checkEvidenceSubject({ kind: 'packet', packetId: 7 })).toThrow(refused('/subject/packetId'));
  });
});

describe('checkAttesterPolicy and attesterPolicyFault', () => {
  const attester = (algorithm: KeyAlgorithm = 'secp256k1') => ({
    algorithm,
    publicKey: toHex(publicKeyOf(algorithm, generatePrivateKey(algorithm))),
  });
  const three = [attester('secp256k1'), attester('secp256r1'), attester('sm2')];

  it('accepts t of M distinct valid keys and returns copies as given', () => {
    const given = three.map((a) => ({ ...a, note: 'extra' }));
    const policy = checkAttesterPolicy(given, 2);
    expect(policy).toEqual({ attesters: three, threshold: 2 });
    expect(policy.attesters[0]).not.toBe(given[0]);
    expect(checkAttesterPolicy(three, 3).threshold).toBe(3);
    expect(attesterPolicyFault(three, 1)).toBeUndefined();
  });

  const unsound: Array<[string, unknown, unknown, string, RegExp]> = [
    ['no list', undefined, 1, '/attesters', /no attesters/],
    ['an empty list', [], 1, '/attesters', /no attesters/],
    ['an attester that is not an object', [three[0], 'key'], 1, '/attesters/1', /attester 1/],
    ['an unknown algorithm', [{ ...three[0], algorithm: 'rsa' }], 1, '/attesters/0/algorithm', /unknown algorithm "rsa"/],
    ['a key that is not hex', [{ ...three[0], publicKey: 'zz' }], 1, '/attesters/0/publicKey', /not a valid secp256k1 public key/],
    ['a key off the curve', [{ algorithm: 'secp256k1', publicKey: '04' + '00'.repeat(64) }], 1, '/attesters/0/publicKey', /not a valid/],
    [
      'a key of another algorithm',
      [{ algorithm: 'secp256k1', publicKey: three[1]!.publicKey }],
      1,
      '/attesters/0/publicKey',
      /not a valid/,
    ],
    [
      'the same key twice, spelt otherwise',
      [three[0], { ...three[0], publicKey: '0x' + three[0]!.publicKey.toUpperCase() }],
      1,
      '/attesters/1',
      /twice/,
    ],
    ['threshold 0', three, 0, '/threshold', /threshold 0/],
    ['a negative threshold', three, -1, '/threshold', /threshold/],
    ['a fractional threshold', three, 1.5, '/threshold', /threshold/],
    ['a threshold that is not a number', three, '2', '/threshold', /threshold/],
    ['no threshold', three, undefined, '/threshold', /threshold/],
    ['a threshold above the attesters', three, 4, '/threshold', /exceeds the 3/],
  ];
  it.each(unsound)('refuses %s, naming the field', (_, attesters, threshold, field, reason) => {
    expect(() => checkAttesterPolicy(attesters, threshold)).toThrow(refused(field));
    expect(() => checkAttesterPolicy(attesters, threshold)).toThrow(reason);
    expect(attesterPolicyFault(attesters, threshold)).toMatch(reason);
  });
});

import { describe, expect, it } from 'vitest';
import { KEY_ALGORITHMS, type KeyAlgorithm } from '../contract/keys.js';
import { fromHex, toHex } from '../encoding/bytes.js';
import { generatePrivateKey, publicKeyOf, verifyMessage } from '../crypto/algorithms.js';
import { documentSigningBytes } from '../crypto/signed-document.js';
import {
  BLOCK_ATTESTATION_DOMAIN,
  MAX_ATTESTATIONS,
  attestBlock,
  blockAttestationPayload,
  verifyAttestations,
  type AttestedBlock,
  type BlockAttestation,
} from './attestation.js';

const block: AttestedBlock = { framework: 'ethereum', chain: 'anvil', number: 42, hash: '0x' + 'ab'.repeat(32) };

function node(algorithm: KeyAlgorithm = 'secp256k1') {
  const privateKey = generatePrivateKey(algorithm);
  return { key: { algorithm, privateKey }, pinned: { algorithm, publicKey: toHex(publicKeyOf(algorithm, privateKey)) } };
}

const reasonOf = (r: ReturnType<typeof verifyAttestations>) => (r.ok ? '' : r.reason);

describe('attestBlock', () => {
  it('signs the documented bytes: domain prefix and the canonical block, hash normalised', () => {
    const n = node();
    const att = attestBlock({ ...block, hash: block.hash.toUpperCase().replace('0X', '0x') }, n.key);
    expect(att.payload).toEqual({ v: 1, framework: 'ethereum', chain: 'anvil', number: 42, hash: 'ab'.repeat(32) });
    const bytes = documentSigningBytes(att.payload, BLOCK_ATTESTATION_DOMAIN);
    expect(new TextDecoder().decode(bytes)).toBe(
      `bsn:block-attestation:v1\n{"chain":"anvil","framework":"ethereum","hash":"${'ab'.repeat(32)}","number":42,"v":1}`,
    );
    expect(verifyMessage('secp256k1', fromHex(n.pinned.publicKey), bytes, fromHex(att.signature.value))).toBe(true);
  });

  it('refuses blocks no honest node would sign', () => {
    const bad: Array<[Partial<AttestedBlock>, RegExp]> = [
      [{ hash: '' }, /hash/],
      [{ hash: '0x' }, /hash/],
      [{ hash: '00'.repeat(32) }, /zero hash/],
      [{ hash: 'ab'.repeat(8) }, /bytes/],
      [{ hash: 'zz'.repeat(32) }, /hex/],
      [{ number: -1 }, /number/],
      [{ number: 1.5 }, /number/],
      [{ chain: '' }, /chain/],
      [{ chain: 'Anvil' }, /chain/],
      [{ framework: '' }, /framework/],
    ];
    for (const [patch, reason] of bad) expect(() => attestBlock({ ...block, ...patch }, node().key)).toThrow(reason);
  });
});

describe.each(KEY_ALGORITHMS)('verifyAttestations with %s', (algorithm) => {
  const nodes = [node(algorithm), node(algorithm), node(algorithm)];
  const attesters = nodes.map((n) => n.pinned);
  const all = nodes.map((n) => attestBlock(block, n.key));

  it('accepts t-of-M distinct pinned attesters, over the block as the verifier names it', () => {
    expect(verifyAttestations(block, all.slice(0, 2), { attesters, threshold: 2 })).toEqual({
      ok: true,
      keyIds: all
        .slice(0, 2)
        .map((a) => a.signature.keyId)
        .sort(),
    });
    expect(verifyAttestations({ ...block, hash: block.hash.slice(2).toUpperCase() }, all, { attesters, threshold: 3 }).ok).toBe(true);
    // a JSON round trip changes nothing
    expect(verifyAttestations(block, JSON.parse(JSON.stringify(all)), { attesters, threshold: 3 }).ok).toBe(true);
  });

  it('refuses fewer than threshold, and counts an attester that signed twice once', () => {
    expect(reasonOf(verifyAttestations(block, all.slice(0, 1), { attesters, threshold: 2 }))).toMatch(/1 distinct .* threshold is 2/);
    expect(reasonOf(verifyAttestations(block, [all[0], all[0]], { attesters, threshold: 2 }))).toMatch(/1 duplicate/);
    const again = attestBlock(block, nodes[0]!.key); // sm2 signs with a fresh nonce: a different signature, same attester
    expect(verifyAttestations(block, [all[0], again], { attesters, threshold: 2 }).ok).toBe(false);
  });

  it('refuses an attestation by a key that is not pinned, even when the rest would do', () => {
    const stranger = attestBlock(block, node(algorithm).key);
    expect(reasonOf(verifyAttestations(block, [...all, stranger], { attesters, threshold: 2 }))).toMatch(
      /attestation 3: signed by an untrusted key/,
    );
  });

  it('refuses attestations of another block, checking the signature over bytes it rebuilt', () => {
    for (const other of [
      { ...block, number: 43 },
      { ...block, hash: 'cd'.repeat(32) },
      { ...block, chain: 'geth' },
      { ...block, framework: 'fabric' },
    ]) {
      expect(reasonOf(verifyAttestations(other, all, { attesters, threshold: 1 }))).toMatch(/does not match this payload/);
    }
    // a document whose payload was edited to the verifier's block still carries the old signature
    const forged: BlockAttestation = { ...structuredClone(all[0]!), payload: { ...all[0]!.payload, number: 43 } };
    expect(reasonOf(verifyAttestations({ ...block, number: 43 }, [forged], { attesters, threshold: 1 }))).toMatch(/does not match/);
    // and one whose payload names another block is reported as such
    expect(reasonOf(verifyAttestations({ ...block, number: 43 }, [all[0]], { attesters, threshold: 1 }))).toMatch(/attests another block/);
  });

  it('refuses a tampered signature', () => {
    const t = structuredClone(all[0]!);
    t.signature.value = t.signature.value.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    expect(verifyAttestations(block, [t], { attesters, threshold: 1 }).ok).toBe(false);
  });
});

describe('verifyAttestations refuses unsound policies and inputs, without throwing', () => {
  const n = [node(), node()];
  const attesters = n.map((x) => x.pinned);
  const atts = n.map((x) => attestBlock(block, x.key));
  const cases: Array<[string, () => ReturnType<typeof verifyAttestations>, RegExp]> = [
    ['threshold 0', () => verifyAttestations(block, atts, { attesters, threshold: 0 }), /threshold 0/],
    ['threshold above M', () => verifyAttestations(block, atts, { attesters, threshold: 3 }), /exceeds the 2/],
    ['fractional threshold', () => verifyAttestations(block, atts, { attesters, threshold: 1.5 }), /threshold/],
    ['empty attesters', () => verifyAttestations(block, atts, { attesters: [], threshold: 1 }), /empty/],
    ['attesters not a list', () => verifyAttestations(block, atts, { attesters: null as never, threshold: 1 }), /empty/],
    ['no policy', () => verifyAttestations(block, atts, undefined as never), /policy/],
    [
      'attester listed twice',
      () =>
        verifyAttestations(block, atts, {
          attesters: [attesters[0]!, { ...attesters[0]!, publicKey: attesters[0]!.publicKey.toUpperCase() }],
          threshold: 1,
        }),
      /twice/,
    ],
    [
      'invalid pinned key',
      () => verifyAttestations(block, atts, { attesters: [{ algorithm: 'secp256k1', publicKey: '04' + '00'.repeat(64) }], threshold: 1 }),
      /not a valid/,
    ],
    [
      'unknown algorithm',
      () =>
        verifyAttestations(block, atts, { attesters: [{ algorithm: 'rsa' as never, publicKey: attesters[0]!.publicKey }], threshold: 1 }),
      /not a valid/,
    ],
    ['no attestations', () => verifyAttestations(block, [], { attesters, threshold: 1 }), /no attestations/],
    ['attestations not a list', () => verifyAttestations(block, 'x', { attesters, threshold: 1 }), /list/],
    [
      'junk attestation',
      () => verifyAttestations(block, [null, 5], { attesters, threshold: 1 }),
      /attestation 0: the document is not signed/,
    ],
    ['too many', () => verifyAttestations(block, Array(MAX_ATTESTATIONS + 1).fill(atts[0]), { attesters, threshold: 1 }), /more than/],
    ['zero hash', () => verifyAttestations({ ...block, hash: '00'.repeat(32) }, atts, { attesters, threshold: 1 }), /zero hash/],
    ['empty hash', () => verifyAttestations({ ...block, hash: '' }, atts, { attesters, threshold: 1 }), /hash/],
    ['no block', () => verifyAttestations(null as never, atts, { attesters, threshold: 1 }), /block/],
  ];
  it.each(cases)('%s', (_name, run, reason) => {
    const res = run();
    expect(res.ok).toBe(false);
    expect(reasonOf(res)).toMatch(reason);
  });

  it('the payload helper is what attestBlock signs', () => {
    expect(blockAttestationPayload(block)).toEqual(atts[0]!.payload);
  });
});

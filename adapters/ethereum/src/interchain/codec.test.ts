import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractFactory, JsonRpcProvider, Wallet, type Contract } from 'ethers';
import {
  ACK_STATUSES,
  ackCommitment,
  attestInterchain,
  attesterPublicKey,
  countAttestations,
  fromBase64,
  generatePrivateKey,
  packetCommitment,
  packetId,
  toBase64,
  type AttestedKind,
  type Packet,
} from '@bsn/contract';
import { AnvilDevnet, type StartedDevnet } from '../__fixtures__/chains.js';
import { BsnPacketCodecProbe } from '../generated/artifacts.js';
import { addressOf } from '../signer-bridge.js';
import { packetTuple } from './delivery-abi.js';

const MAX = 2 ** 53 - 1;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-';

/** A packet with every field drawn at random within its alphabet and length range (seeded, reproducible). */
function randomPacket(seed: number): Packet {
  let x = seed * 2654435761 + 1;
  const next = (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  const word = (alphabet: string, min: number, max: number) =>
    Array.from({ length: min + next(max - min + 1) }, () => alphabet[next(alphabet.length)]).join('');
  const chain = () => word('abcdefghijklmnopqrstuvwxyz0123456789', 1, 1) + word('abcdefghijklmnopqrstuvwxyz0123456789._-', 0, 63);
  const method = () => word('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_', 1, 1) + word('abcXYZ0123456789_.', 0, 63);
  const payload = new Uint8Array(next(300)).map(() => next(256));
  return {
    v: 1,
    srcChain: chain(),
    srcApp: word(ID_ALPHABET, 1, 128),
    dstChain: chain(),
    dstApp: word(ID_ALPHABET, 1, 128),
    seq: 1 + next(1_000_000),
    method: method(),
    payload: toBase64(payload),
    timeout: 1 + next(2_000_000_000) * 1000,
    grantRef: word(ID_ALPHABET, 1, 128),
  };
}

const boundary: Packet[] = [
  { v: 1, srcChain: 'a', srcApp: 'A', dstChain: '0', dstApp: '-', seq: 1, method: '_', payload: '', timeout: 1, grantRef: ':' },
  {
    v: 1,
    srcChain: 'z'.repeat(64),
    srcApp: ID_ALPHABET.repeat(2).slice(0, 128),
    dstChain: '9' + '._-'.repeat(21),
    dstApp: 'x'.repeat(128),
    seq: MAX,
    method: 'Z' + 'a.9_'.repeat(15) + 'abc',
    payload: toBase64(new Uint8Array(65536).fill(0xff)),
    timeout: MAX,
    grantRef: '.'.repeat(128),
  },
  ...[1, 2, 3, 4].map((n) => ({ ...randomPacket(n), payload: toBase64(new Uint8Array(n).fill(0xfb)) })),
];

/** Expected values computed by core; the chain must agree on every one. */
describe('the chain rebuilds what core computes (BsnPacketCodec on anvil)', () => {
  let devnet: StartedDevnet;
  let provider: JsonRpcProvider;
  let probe: Contract;

  beforeAll(async () => {
    devnet = await new AnvilDevnet().start();
    provider = new JsonRpcProvider(String(devnet.network.rpcUrl), undefined, { staticNetwork: true });
    const wallet = new Wallet(String((devnet.network as unknown as { faucet: { privateKey: string } }).faucet.privateKey), provider);
    probe = (await (
      await new ContractFactory(BsnPacketCodecProbe.abi, BsnPacketCodecProbe.bytecode, wallet).deploy()
    ).waitForDeployment()) as Contract;
  }, 120_000);
  afterAll(async () => {
    provider?.destroy();
    await devnet?.stop();
  });

  it('packet commitment and id, for boundary values and 60 random packets', async () => {
    const packets = [...boundary, ...Array.from({ length: 60 }, (_, i) => randomPacket(i + 10))];
    for (const p of packets) {
      const [commitment, id] = (await probe.getFunction('commitmentOf').staticCall(packetTuple(p))) as [string, string];
      expect([commitment, id], JSON.stringify(p).slice(0, 200)).toEqual(['0x' + packetCommitment(p), '0x' + packetId(p)]);
    }
  }, 120_000);

  it('a field outside its alphabet is refused on chain, naming it', async () => {
    const p = boundary[0]!;
    for (const [field, value] of [
      ['srcApp', 'a"b'],
      ['dstApp', 'a b'],
      ['grantRef', 'x\\'],
      ['srcChain', 'Upper'],
      ['dstChain', '-lead'],
      ['method', '1abc'],
      ['srcApp', ''],
      ['dstApp', 'y'.repeat(129)],
    ] as const) {
      const error = await probe
        .getFunction('commitmentOf')
        .staticCall(packetTuple({ ...p, [field]: value }))
        .then(
          () => undefined,
          (e: { revert?: { args?: unknown[] }; data?: string }) => e,
        );
      expect(error, `${field}=${value}`).toBeDefined();
      expect(JSON.stringify(error?.revert?.args ?? error?.data ?? ''), field).toContain(`/packet/${field}`);
    }
    for (const [field, value] of [
      ['seq', 0],
      ['seq', MAX + 1],
      ['timeout', 0],
      ['timeout', MAX + 1],
    ] as const) {
      const tuple = [...packetTuple({ ...p, seq: 1, timeout: 1 })] as unknown[];
      tuple[field === 'seq' ? 4 : 7] = BigInt(value);
      await expect(probe.getFunction('commitmentOf').staticCall(tuple), `${field}=${value}`).rejects.toThrow();
    }
  }, 60_000);

  it('ack commitment for every status, empty and long results', async () => {
    for (const [i, status] of ACK_STATUSES.entries()) {
      for (const result of ['', toBase64(new Uint8Array([i])), toBase64(new Uint8Array(1000 + i).fill(7))]) {
        const p = randomPacket(100 + i);
        const ack = { packetId: packetId(p), commitment: packetCommitment(p), status, result };
        const onChain = await probe
          .getFunction('ackCommitmentOf')
          .staticCall('0x' + ack.packetId, '0x' + ack.commitment, status, fromBase64(result));
        expect(onChain).toBe('0x' + ackCommitment(ack));
      }
    }
  }, 60_000);

  it('ecrecover agrees with core countAttestations: pinned signers counted, others and malleated ones not', async () => {
    const keys = [0, 1, 2].map(() => generatePrivateKey('secp256k1'));
    const pinned = { publicKeys: keys.map(attesterPublicKey), threshold: 2 };
    for (const kind of ['packet', 'ack', 'timeout'] as AttestedKind[]) {
      const commitment = packetCommitment(randomPacket(kind.length));
      for (const k of keys) {
        const a = attestInterchain(kind, commitment, k);
        const signer = await probe
          .getFunction('signerOf')
          .staticCall([1, 2, 3][['packet', 'ack', 'timeout'].indexOf(kind)], '0x' + commitment, '0x' + a.signature);
        expect(signer).toBe(addressOf(Buffer.from(attesterPublicKey(k), 'hex')));
        // under another kind the same signature recovers someone else, as core finds no pinned signer
        const other = kind === 'packet' ? 2 : 1;
        expect(await probe.getFunction('signerOf').staticCall(other, '0x' + commitment, '0x' + a.signature)).not.toBe(signer);
        expect(
          countAttestations(kind === 'packet' ? 'ack' : 'packet', commitment, [{ ...a, kind: kind === 'packet' ? 'ack' : 'packet' }], {
            ...pinned,
            threshold: 2,
          }).ok,
        ).toBe(false);
      }
      expect(
        countAttestations(
          kind,
          commitment,
          keys.slice(0, 2).map((k) => attestInterchain(kind, commitment, k)),
          pinned,
        ).ok,
      ).toBe(true);
    }
  }, 60_000);

  it('UTF-8 as a fatal TextDecoder judges it', async () => {
    const samples = [
      [],
      [0x41],
      [0xc3, 0xa9],
      [0xe2, 0x82, 0xac],
      [0xf0, 0x9f, 0x98, 0x80],
      [0xf4, 0x8f, 0xbf, 0xbf],
      [0xc0, 0x80],
      [0xc1, 0xbf],
      [0xe0, 0x80, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0x80],
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x98],
      [0x41, 0xff],
      [0xef, 0xbf, 0xbd],
      [0xee, 0x80, 0x80],
    ];
    for (const bytes of samples) {
      let expected = true;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
      } catch {
        expected = false;
      }
      expect(await probe.getFunction('isUtf8').staticCall(new Uint8Array(bytes)), JSON.stringify(bytes)).toBe(expected);
    }
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrivateKey, publicKeyOf } from '@bsn/contract';
import { goSdkProbeAvailability } from '../devnets/go-sdk-probe.js';
import { startEmulator, type RunningEmulator } from '../emulator/emulator.js';
import { rpc } from '../emulator/__fixtures__/rpc.js';
import { cryptoSuite, type CryptoMode } from '../protocol/crypto-suite.js';
import { encodeTransaction } from '../protocol/transaction-codec.js';
import { transactionHash } from '../protocol/transaction-hash.js';
import { DOC_RECEIPT } from '../protocol/__fixtures__/fisco-doc-vectors.js';
import { runProbe } from './go-sdk-probe-client.js';

// The expected values here come from FISCO's own Go SDK (github.com/FISCO-BCOS/go-sdk/v3 at
// v3.0.3-0.20241225123119-50bbbeef7168, built by the bootstrap): it builds, hashes, signs and
// encodes every transaction, and decodes the emulator's answers into its own types.Receipt.
const probe = goSdkProbeAvailability();
const skipReason = probe.ok ? undefined : probe.reason;
if (skipReason) console.warn(`skipped the Go SDK faithfulness tests: ${skipReason}`);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A key whose public X and Y have no leading zero byte: go-sdk's SM2PubBytes does not left-pad them. */
function sdkSafeKey(mode: CryptoMode): string {
  const alg = mode === 'sm' ? 'sm2' : 'secp256k1';
  for (;;) {
    const key = generatePrivateKey(alg);
    const pub = publicKeyOf(alg, key);
    if (pub[1] !== 0 && pub[33] !== 0) return hex(key);
  }
}

describe.skipIf(skipReason)('FISCO Go SDK transactions on the emulator', () => {
  it('the SDK reproduces the go-sdk ECDSA vector of the notes, and so does our codec', async () => {
    const key = '145e247e170ba3afd6ae97e88f00dbc976c2345d511b0f6713355d19d8b80b58';
    const out = await runProbe({ crypto: 'standard', key, blockLimit: 500, nonce: 'nonce-1', to: '11'.repeat(20), input: '010203' });
    expect(out.hash).toBe('0xf614db157c8b52be89b54067f242c92474da3599bd864636a2b763593a356aca');
    expect(out.signature.slice(-2)).toBe('01'); // v is the raw recovery id, not 27/28
    const ours = transactionHash(cryptoSuite('standard'), {
      version: 0,
      chainId: 'chain0',
      groupId: 'group0',
      blockLimit: 500n,
      nonce: 'nonce-1',
      to: '11'.repeat(20),
      input: Uint8Array.of(1, 2, 3),
      abi: '',
    });
    expect('0x' + hex(ours)).toBe(out.hash);
  });

  for (const mode of ['standard', 'sm'] as CryptoMode[]) {
    describe(`${mode} crypto`, () => {
      let node: RunningEmulator;
      const key = sdkSafeKey(mode);
      let n = 0;
      const nonce = () => `${Date.now()}${++n}`;
      beforeAll(async () => {
        node = await startEmulator({ mode });
      });
      afterAll(() => node?.close());
      const head = async () => (await rpc(node.url, 'getBlockNumber', ['group0', ''])).result as number;

      it('accepts the SDK-signed deploy; go-sdk types.Receipt decodes the answer; our codec builds the same bytes', async () => {
        const h = await head();
        const tx = { crypto: mode, key, blockLimit: h + 100, nonce: nonce(), input: DOC_RECEIPT.input.slice(2), abi: '[]' } as const;
        const out = await runProbe({ ...tx, url: node.url });
        expect(out.response?.error).toBeUndefined();
        expect(out.decodeError).toBeUndefined();
        expect(out.receipt?.['transactionHash']).toBe(out.hash);
        expect(out.receipt?.['status']).toBe(0);
        expect(out.receipt?.['from']).toBe(out.sender);
        expect(String(out.receipt?.['contractAddress'])).toMatch(/^0x[0-9a-f]{40}$/);
        expect(out.receipt?.['blockNumber']).toBe(h + 1);
        // Our encoder, given the SDK's fields and signature, writes the SDK's bytes (without the sender tag the node clears).
        const data = {
          version: 0,
          chainId: 'chain0',
          groupId: 'group0',
          blockLimit: BigInt(tx.blockLimit),
          nonce: tx.nonce,
          to: '',
          input: Buffer.from(tx.input, 'hex'),
          abi: tx.abi,
        };
        expect('0x' + hex(transactionHash(cryptoSuite(mode), data))).toBe(out.hash);
        const ours = encodeTransaction({
          data,
          dataHash: Buffer.from(out.hash.slice(2), 'hex'),
          signature: Buffer.from(out.signature.slice(2), 'hex'),
          importTime: 0n,
          attribute: 0,
          extraData: '',
        });
        expect(out.raw.startsWith('0x' + hex(ours))).toBe(true);
      });

      it('a tampered hash is refused as the node refuses it (-1, "transaction hash mismatching")', async () => {
        const out = await runProbe({
          crypto: mode,
          key,
          blockLimit: (await head()) + 100,
          nonce: nonce(),
          input: '00',
          tamper: 'hash',
          url: node.url,
        });
        expect(out.response?.error?.code).toBe(-1);
        expect(out.response?.error?.message).toContain('transaction hash mismatching');
      });

      it('a tampered signature is 10008 InvalidSignature', async () => {
        const out = await runProbe({
          crypto: mode,
          key,
          blockLimit: (await head()) + 100,
          nonce: nonce(),
          input: '00',
          tamper: 'signature',
          url: node.url,
        });
        expect(out.response?.error).toEqual({ code: 10008, message: 'InvalidSignature' });
      });

      it('another chain ID is refused by the RPC layer (-1, "Chain ID mismatch!")', async () => {
        const out = await runProbe({
          crypto: mode,
          key,
          blockLimit: (await head()) + 100,
          nonce: nonce(),
          input: '00',
          chain: 'chainX',
          url: node.url,
        });
        expect(out.response?.error?.code).toBe(-1);
        expect(out.response?.error?.message).toContain('Chain ID mismatch!');
      });

      it('a blockLimit outside (head, head + 600] is 10001 BlockLimitCheckFail', async () => {
        const h = await head();
        for (const blockLimit of [h, h + 601]) {
          const out = await runProbe({ crypto: mode, key, blockLimit, nonce: nonce(), input: '00', url: node.url });
          expect(out.response?.error).toEqual({ code: 10001, message: 'BlockLimitCheckFail' });
        }
      });

      it('a nonce used within the window is 10000 NonceCheckFail', async () => {
        const used = nonce();
        const first = await runProbe({
          crypto: mode,
          key,
          blockLimit: (await head()) + 100,
          nonce: used,
          input: '00',
          to: '22'.repeat(20),
          url: node.url,
        });
        expect(first.response?.error).toBeUndefined();
        const again = await runProbe({
          crypto: mode,
          key,
          blockLimit: (await head()) + 100,
          nonce: used,
          input: '01',
          to: '22'.repeat(20),
          url: node.url,
        });
        expect(again.response?.error).toEqual({ code: 10000, message: 'NonceCheckFail' });
      });
    });
  }
});

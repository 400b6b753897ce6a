import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBytes, hexlify, keccak256 } from 'ethers';
import { DEVNETS, sendRaw, startChain, type DevChain } from './__fixtures__/devchain.js';
import { HeaderError, encodeHeader, headerFromRpc, headerHash, headerItems, type EthHeader } from './header.js';
import { decodeReceipt, encodeReceipt, type RpcReceipt } from './receipt.js';
import { buildIndexTrie, provenValue } from './trie.js';

/** Init code that emits LOG1(topic) with 4 bytes of data and deploys nothing. */
const LOG_INIT = '0x63cafebabe600052' + '7f' + 'ab'.repeat(32) + '6004' + '601c' + 'a1' + '00';
/** Init code that reverts. */
const REVERT_INIT = '0x60006000fd';

describe.each(DEVNETS)('block headers and receipts of real %s blocks', (name, make) => {
  let chain: DevChain | undefined;
  let skipped = '';

  beforeAll(async () => {
    const started = await startChain(name, make);
    if (typeof started === 'string') {
      skipped = started;
      console.warn(`skipped ${name}: ${started}`);
      return;
    }
    chain = started;
    const to = '0x' + '11'.repeat(20);
    const gasPrice = BigInt(await chain.rpc<string>('eth_gasPrice')) * 2n;
    // One of each transaction and receipt shape the adapter may meet: legacy, access list,
    // dynamic fee, a contract creation with a log, and a reverted transaction.
    await sendRaw(chain, { type: 0, to, value: 1n, gasPrice, gasLimit: 21_000n });
    await sendRaw(chain, {
      type: 1,
      to,
      value: 2n,
      gasPrice,
      gasLimit: 30_000n,
      accessList: [{ address: to, storageKeys: ['0x' + '00'.repeat(32)] }],
    });
    await sendRaw(chain, { type: 2, to, value: 3n });
    await sendRaw(chain, { type: 2, data: LOG_INIT, gasLimit: 200_000n });
    await sendRaw(chain, { type: 2, data: REVERT_INIT, gasLimit: 100_000n });
  });
  afterAll(async () => {
    await chain?.stop();
  });

  it('keccak256(RLP(header)) rebuilt from the RPC fields is the block hash, for every block', async (ctx) => {
    if (!chain) return ctx.skip(skipped);
    const head = Number(BigInt(await chain.rpc<string>('eth_blockNumber')));
    expect(head).toBeGreaterThanOrEqual(1);
    for (let n = 0; n <= head; n++) {
      const block = await chain.rpc<Record<string, string>>('eth_getBlockByNumber', ['0x' + n.toString(16), false]);
      const header = headerFromRpc(block);
      // both nodes produce Prague headers: every fork field through requestsHash
      expect(Object.keys(header)).toHaveLength(21);
      expect(headerHash(header)).toBe(block.hash);
    }
  });

  it('receipts and transactions re-encoded from RPC rebuild the block roots, and proofs check against them', async (ctx) => {
    if (!chain) return ctx.skip(skipped);
    const head = Number(BigInt(await chain.rpc<string>('eth_blockNumber')));
    const seen = { types: new Set<number>(), statuses: new Set<number>(), logs: 0 };
    for (let n = 1; n <= head; n++) {
      const tag = '0x' + n.toString(16);
      const block = await chain.rpc<{ receiptsRoot: string; transactionsRoot: string; transactions: string[] }>('eth_getBlockByNumber', [
        tag,
        false,
      ]);
      const receipts = await chain.rpc<RpcReceipt[]>('eth_getBlockReceipts', [tag]);
      const encoded = receipts.map(encodeReceipt);
      const trie = await buildIndexTrie(encoded);
      expect(hexlify(trie.root)).toBe(block.receiptsRoot);
      const raws = await Promise.all(block.transactions.map((h) => chain!.rpc<string>('eth_getRawTransactionByHash', [h])));
      raws.forEach((raw, i) => expect(keccak256(raw)).toBe(block.transactions[i]));
      expect(hexlify((await buildIndexTrie(raws.map((r) => getBytes(r)))).root)).toBe(block.transactionsRoot);
      for (const [i, bytes] of encoded.entries()) {
        const proven = await provenValue(trie.root, i, await trie.proof(i));
        expect(hexlify(proven)).toBe(hexlify(bytes));
        const decoded = decodeReceipt(proven);
        expect(decoded.type).toBe(Number(receipts[i]!.type));
        expect(decoded.status).toBe(Number(receipts[i]!.status));
        expect(decoded.cumulativeGasUsed).toBe(BigInt(receipts[i]!.cumulativeGasUsed));
        expect(decoded.logs).toEqual(receipts[i]!.logs.map((l) => ({ address: l.address.toLowerCase(), topics: l.topics, data: l.data })));
        seen.types.add(decoded.type);
        seen.statuses.add(decoded.status);
        seen.logs += decoded.logs.length;
      }
    }
    expect([...seen.types].sort()).toEqual(expect.arrayContaining([0, 1, 2]));
    expect([...seen.statuses].sort()).toEqual([0, 1]);
    expect(seen.logs).toBeGreaterThanOrEqual(1);
  });

  it('a proof against another root, of another index, or with a changed node is refused', async (ctx) => {
    if (!chain) return ctx.skip(skipped);
    const receipts = await chain.rpc<RpcReceipt[]>('eth_getBlockReceipts', ['latest']);
    const trie = await buildIndexTrie(receipts.map(encodeReceipt));
    const proof = await trie.proof(0);
    await expect(provenValue(getBytes(keccak256('0x01')), 0, proof)).rejects.toThrow();
    await expect(provenValue(trie.root, receipts.length, proof)).rejects.toThrow();
    await expect(provenValue(trie.root, 0, [])).rejects.toThrow(/no nodes/);
    const flipped = proof.map((n) => n.slice());
    const last = flipped[flipped.length - 1]!;
    last[10] = last[10]! ^ 1;
    await expect(provenValue(trie.root, 0, flipped)).rejects.toThrow();
  });
});

describe('header encoding rules', () => {
  const base: EthHeader = {
    parentHash: '0x' + '01'.repeat(32),
    sha3Uncles: '0x' + '02'.repeat(32),
    miner: '0x' + '03'.repeat(20),
    stateRoot: '0x' + '04'.repeat(32),
    transactionsRoot: '0x' + '05'.repeat(32),
    receiptsRoot: '0x' + '06'.repeat(32),
    logsBloom: '0x' + '00'.repeat(256),
    difficulty: '0x0',
    number: '0x10',
    gasLimit: '0x1c9c380',
    gasUsed: '0x0',
    timestamp: '0x6b08f35c',
    extraData: '0x',
    mixHash: '0x' + '00'.repeat(32),
    nonce: '0x0000000000000000',
  };

  it('encodes quantities minimally (zero as the empty string) and byte fields in full', () => {
    const items = headerItems({ ...base, baseFeePerGas: '0x7' });
    expect(items[7]).toEqual(new Uint8Array(0));
    expect(hexlify(items[8]!)).toBe('0x10');
    expect(items[14]).toHaveLength(8);
    expect(items).toHaveLength(16);
    expect(hexlify(encodeHeader(base)).startsWith('0xf9')).toBe(true);
  });

  it('refuses missing, unknown, malformed or out-of-order fields', () => {
    const bad: Array<[EthHeader | Record<string, string>, RegExp]> = [
      [{ ...base, receiptsRoot: undefined }, /receiptsRoot is missing/],
      [{ ...base, withdrawalsRoot: '0x' + '00'.repeat(32) }, /earlier fork field/],
      [{ ...base, baseFeePerGas: '0x1', blobGasUsed: '0x0' }, /earlier fork field/],
      [{ ...base, totalDifficulty: '0x0' }, /unknown header field/],
      [{ ...base, number: '0x010' }, /canonical quantity/],
      [{ ...base, number: '16' }, /hex/],
      [{ ...base, stateRoot: '0x' + '04'.repeat(31) }, /32 bytes/],
      [{ ...base, logsBloom: '0x00' }, /256 bytes/],
      [{ ...base, extraData: '0x0' }, /odd/],
    ];
    for (const [header, reason] of bad) {
      expect(() => headerItems(header as EthHeader)).toThrow(HeaderError);
      expect(() => headerItems(header as EthHeader)).toThrow(reason);
    }
  });
});

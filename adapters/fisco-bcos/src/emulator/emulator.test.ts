import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrivateKey, privateKeySigner, verifyDigest, messageDigest } from '@bsn/contract';
import { sm2 } from 'sm-crypto-v2';
import { accountOf } from '../protocol/account.js';
import { blockHash } from '../protocol/block-header.js';
import { cryptoSuite, type CryptoMode } from '../protocol/crypto-suite.js';
import { receiptHash } from '../protocol/receipt.js';
import { signTransaction } from '../protocol/sign-transaction.js';
import type { TransactionData } from '../protocol/transaction.js';
import { DOC_RECEIPT, DOC_SEND_TRANSACTION_RAW } from '../protocol/__fixtures__/fisco-doc-vectors.js';
import { startEmulator, type RunningEmulator } from './emulator.js';
import { rpc } from './__fixtures__/rpc.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/^0x/, ''), 'hex'));
let nonce = 0;
const data = (head: number, overrides: Partial<TransactionData> = {}): TransactionData => ({
  version: 0,
  chainId: 'chain0',
  groupId: 'group0',
  blockLimit: BigInt(head + 100),
  nonce: `${Date.now()}${++nonce}`,
  to: '',
  input: hex(DOC_RECEIPT.input),
  abi: '',
  ...overrides,
});

for (const mode of ['standard', 'sm'] as CryptoMode[]) {
  describe(`the emulator (${mode}) over JSON-RPC`, () => {
    const suite = cryptoSuite(mode);
    const signer = privateKeySigner(suite.algorithm, generatePrivateKey(suite.algorithm));
    let node: RunningEmulator;
    beforeAll(async () => {
      node = await startEmulator({ mode });
    });
    afterAll(() => node?.close());

    const send = async (tx: TransactionData) =>
      rpc(node.url, 'sendTransaction', ['group0', '', (await signTransaction(suite, tx, signer)).raw, false]);
    const head = async () => (await rpc(node.url, 'getBlockNumber', ['group0', ''])).result as number;

    it('answers getBlockNumber with a plain integer and getGroupInfo with the crypto mode', async () => {
      expect(await head()).toBe(0);
      const info = (await rpc(node.url, 'getGroupInfo', ['group0'])).result;
      expect(JSON.parse(info.nodeList[0].iniConfig).smCryptoType).toBe(mode === 'sm');
    });

    it('sendTransaction answers with the committed receipt; the block is signed by a quorum', async () => {
      const { result: receipt, error } = await send(data(await head()));
      expect(error).toBeUndefined();
      expect(receipt.status).toBe(0);
      expect(receipt.from).toBe(accountOf(suite, signer.publicKey));
      expect(receipt.contractAddress).toMatch(/^0x[0-9a-f]{40}$/);
      expect(typeof receipt.gasUsed).toBe('string');
      const block = (await rpc(node.url, 'getBlockByNumber', ['group0', '', receipt.blockNumber, false, true])).result;
      expect(block.transactions).toContain(receipt.transactionHash);
      expect(block.receiptsRoot).toBe(receipt.hash);
      // the receipt hash and block hash recomputed from the JSON alone
      const fields = {
        version: receipt.version,
        gasUsed: receipt.gasUsed,
        contractAddress: receipt.contractAddress.slice(2),
        status: receipt.status,
        output: hex(receipt.output),
        logEntries: [],
        blockNumber: receipt.blockNumber,
      };
      expect('0x' + Buffer.from(receiptHash(suite, fields)).toString('hex')).toBe(receipt.hash);
      const h = blockHash(suite, {
        version: block.version,
        parentInfo: block.parentInfo.map((p: any) => ({ blockNumber: p.blockNumber, blockHash: hex(p.blockHash) })),
        txsRoot: hex(block.txsRoot),
        receiptsRoot: hex(block.receiptsRoot),
        stateRoot: hex(block.stateRoot),
        number: block.number,
        gasUsed: block.gasUsed,
        timestamp: block.timestamp,
        sealer: block.sealer,
        sealerList: block.sealerList.map(hex),
        extraData: hex(block.extraData),
        consensusWeights: block.consensusWeights,
      });
      expect('0x' + Buffer.from(h).toString('hex')).toBe(block.hash);
      expect(block.signatureList.length).toBeGreaterThanOrEqual(3);
      for (const s of block.signatureList) {
        const pub = Uint8Array.from([4, ...hex(block.sealerList[s.sealerIndex])]);
        const sig = hex(s.signature);
        if (mode === 'sm') {
          // independently of our code: sm-crypto-v2, user id 1234567812345678
          expect(sm2.doVerifySignature(h, Buffer.from(sig).toString('hex'), Buffer.from(pub).toString('hex'), { hash: true })).toBe(true);
        } else {
          expect(verifyDigest('secp256k1', pub, h, sig.subarray(0, 64))).toBe(true);
        }
      }
      const got = (await rpc(node.url, 'getTransactionReceipt', ['group0', '', receipt.transactionHash, true])).result;
      expect(got.hash).toBe(receipt.hash);
      expect(got.txReceiptProof).toEqual([receipt.hash.slice(2)]);
    });

    it('refuses with the node codes: hash, chain, group, signature, nonce, blockLimit', async () => {
      const h = await head();
      const tx = data(h);
      const signed = await signTransaction(suite, tx, signer);
      // a dataHash that is not the fields' hash
      const tamperedHash = signed.raw.replace(Buffer.from(signed.transaction.dataHash).toString('hex'), '11'.repeat(32));
      const mismatch = await rpc(node.url, 'sendTransaction', ['group0', '', tamperedHash, false]);
      expect(mismatch.error?.code).toBe(-1);
      expect(mismatch.error?.message).toContain('transaction hash mismatching');
      expect((await send({ ...data(h), chainId: 'chain1' })).error).toMatchObject({
        code: -1,
        message: expect.stringContaining('Chain ID mismatch!'),
      });
      expect((await send({ ...data(h), groupId: 'group9' })).error).toEqual({ code: 10007, message: 'InvalidGroupId' });
      // SM: a signature of other data, with this key's public key; ECDSA: one that recovers no key
      // (any well-formed ECDSA signature recovers *some* sender: that is a valid transaction from it).
      const forged = await signTransaction(suite, { ...tx, nonce: tx.nonce + 'x' }, signer);
      const badSignature = mode === 'sm' ? forged.transaction.signature : new Uint8Array(65);
      const wrongSig = signed.raw.replace(
        Buffer.from(signed.transaction.signature).toString('hex'),
        Buffer.from(badSignature).toString('hex'),
      );
      expect((await rpc(node.url, 'sendTransaction', ['group0', '', wrongSig, false])).error).toEqual({
        code: 10008,
        message: 'InvalidSignature',
      });
      expect((await send({ ...data(h), blockLimit: BigInt(h) })).error).toEqual({ code: 10001, message: 'BlockLimitCheckFail' });
      expect((await send({ ...data(h), blockLimit: BigInt(h + 601) })).error).toEqual({ code: 10001, message: 'BlockLimitCheckFail' });
      expect((await rpc(node.url, 'sendTransaction', ['group0', '', signed.raw, false])).result.status).toBe(0);
      expect((await send({ ...data(h), nonce: tx.nonce })).error).toEqual({ code: 10000, message: 'NonceCheckFail' });
      expect((await rpc(node.url, 'sendTransaction', ['group0', '', signed.raw, false])).error).toEqual({
        code: 10000,
        message: 'NonceCheckFail',
      });
    });

    it('unknown receipts are ledger error 3008; unknown blocks too; other groups are refused', async () => {
      expect((await rpc(node.url, 'getTransactionReceipt', ['group0', '', '0x' + 'ab'.repeat(32), false])).error?.code).toBe(3008);
      expect((await rpc(node.url, 'getBlockByNumber', ['group0', '', 10_000, true, true])).error?.code).toBe(3008);
      expect((await rpc(node.url, 'getBlockNumber', ['group7', ''])).error?.code).toBe(-32000);
      expect((await rpc(node.url, 'noSuchMethod', [])).error?.code).toBe(-32601);
    });

    it('concurrent submissions share blocks and all commit', async () => {
      const h = await head();
      const results = await Promise.all(Array.from({ length: 12 }, () => send(data(h))));
      expect(results.every((r) => r.result?.status === 0)).toBe(true);
      const blocks = new Set(results.map((r) => r.result.blockNumber));
      expect(blocks.size).toBeLessThan(12);
    });
  });
}

describe('the doc raw sendTransaction on an SM emulator', () => {
  it('is accepted: a real node’s transaction, signed by FISCO’s own SDK', async () => {
    const node = await startEmulator({ mode: 'sm' });
    try {
      const { result, error } = await rpc(node.url, 'sendTransaction', ['group0', '', DOC_SEND_TRANSACTION_RAW, true]);
      expect(error).toBeUndefined();
      expect(result.status).toBe(0);
      expect(result.from).toBe(DOC_RECEIPT.from);
      expect(result.transactionHash).toBe('0x867fc7059f04e9f172202b777673a8413c9e47990dcd09b11311a2f1f5b55a4f');
      // block 1, the first transaction: SM3("1_0_0")
      expect(result.contractAddress).toBe(
        '0x' +
          Buffer.from(cryptoSuite('sm').hash(Buffer.from('1_0_0')))
            .subarray(0, 20)
            .toString('hex'),
      );
    } finally {
      await node.close();
    }
  });
});
void messageDigest;

import { describe, expect, it } from 'vitest';
import { AbiCoder } from 'ethers';
import { sm3 as sm3Hex } from 'sm-crypto-v2';
import { cryptoSuite } from '../protocol/crypto-suite.js';
import { TransactionStatus } from '../protocol/transaction-status.js';
import { DOC_RECEIPT } from '../protocol/__fixtures__/fisco-doc-vectors.js';
import { FiscoEvm } from './fisco-evm.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/^0x/, ''), 'hex'));
const coder = AbiCoder.defaultAbiCoder();
// Selectors as an SM solc compiled them into the doc's bytecode, checked against SM3 here.
const GET = hex('299f7f9d');
const SET = hex('3590b49f');
const sender = hex(DOC_RECEIPT.from);

describe('the emulator EVM runs FISCO SM bytecode from a real node', () => {
  it('the doc bytecode selectors are SM3 of the signatures', () => {
    expect(sm3Hex('get()').slice(0, 8)).toBe('299f7f9d');
    expect(sm3Hex('set(string)').slice(0, 8)).toBe('3590b49f');
  });

  it('deploys the doc HelloWorld at block 2, tx 0 to the address the node reported; get() answers "Hello, World!"', async () => {
    const evm = await FiscoEvm.create(cryptoSuite('sm'));
    const ctx = { blockNumber: DOC_RECEIPT.blockNumber, contextId: 0, timestamp: Date.now() };
    const deployed = await evm.execute({ sender, input: hex(DOC_RECEIPT.input) }, ctx);
    expect(deployed.status).toBe(0);
    expect('0x' + deployed.contractAddress).toBe(DOC_RECEIPT.contractAddress);
    const at = hex(deployed.contractAddress);
    const read = await evm.call(at, GET, ctx);
    expect(read.status).toBe(0);
    expect(coder.decode(['string'], read.output)[0]).toBe('Hello, World!');

    const set = Buffer.concat([SET, hex(coder.encode(['string'], ['你好, FISCO']))]);
    const written = await evm.execute({ sender, to: at, input: set }, { ...ctx, blockNumber: 3 });
    expect(written.status).toBe(0);
    expect(coder.decode(['string'], (await evm.call(at, GET, ctx)).output)[0]).toBe('你好, FISCO');
  });

  it('a revert gives status 16 and keeps nothing; a call never writes', async () => {
    const evm = await FiscoEvm.create(cryptoSuite('sm'));
    const ctx = { blockNumber: 2, contextId: 0, timestamp: Date.now() };
    const at = hex((await evm.execute({ sender, input: hex(DOC_RECEIPT.input) }, ctx)).contractAddress);
    const unknown = await evm.execute({ sender, to: at, input: hex('deadbeef') }, ctx);
    expect(unknown.status).toBe(TransactionStatus.RevertInstruction);
    // set() with a truncated argument: Solidity's decoder reverts
    const truncated = await evm.execute({ sender, to: at, input: Buffer.concat([SET, hex('00'.repeat(31))]) }, ctx);
    expect(truncated.status).toBe(16);
    const set = Buffer.concat([SET, hex(coder.encode(['string'], ['only in a call']))]);
    expect((await evm.call(at, set, ctx)).status).toBe(0);
    expect(coder.decode(['string'], (await evm.call(at, GET, ctx)).output)[0]).toBe('Hello, World!');
  });

  it('standard mode uses Keccak for addresses: the same deploy lands elsewhere', async () => {
    const evm = await FiscoEvm.create(cryptoSuite('standard'));
    const deployed = await evm.execute({ sender, input: hex(DOC_RECEIPT.input) }, { blockNumber: 2, contextId: 0, timestamp: 0 });
    expect(deployed.status).toBe(0);
    expect('0x' + deployed.contractAddress).not.toBe(DOC_RECEIPT.contractAddress);
  });
});

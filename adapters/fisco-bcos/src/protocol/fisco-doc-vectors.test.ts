import { describe, expect, it } from 'vitest';
import { sm2, sm3 as sm3Hex } from 'sm-crypto-v2';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { accountOf } from './account.js';
import { blockHash, type BlockHeaderFields } from './block-header.js';
import { checksumAddress, contractAddress } from './contract-address.js';
import { cryptoSuite } from './crypto-suite.js';
import { merkleRoot, verifyMerkleProof } from './merkle.js';
import { receiptHash } from './receipt.js';
import { decodeTransaction, encodeTransaction } from './transaction-codec.js';
import { receivedTransactionHash } from './transaction-hash.js';
import { signerOf } from './transaction-signature.js';
import { DOC_BLOCK_0, DOC_BLOCK_2, DOC_NODE_INI_CONFIG, DOC_RECEIPT, DOC_SEND_TRANSACTION_RAW } from './__fixtures__/fisco-doc-vectors.js';

// Every expected value below is copied from a real SM-crypto FISCO BCOS 3.3.0 node's answers
// (FISCO-BCOS-DOC api.md); the SM2 checks use sm-crypto-v2 directly, not our wrappers.
const sm = cryptoSuite('sm');
const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/^0x/, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function headerOf(b: typeof DOC_BLOCK_2 | typeof DOC_BLOCK_0): BlockHeaderFields {
  return {
    version: b.version,
    parentInfo: b.parentInfo.map((p: { blockNumber: number; blockHash: string }) => ({
      blockNumber: p.blockNumber,
      blockHash: hex(p.blockHash),
    })),
    txsRoot: hex(b.txsRoot),
    receiptsRoot: hex(b.receiptsRoot),
    stateRoot: hex(b.stateRoot),
    number: b.number,
    gasUsed: b.gasUsed,
    timestamp: b.timestamp,
    sealer: b.sealer,
    sealerList: b.sealerList.map((s: string) => hex(s)),
    extraData: hex(b.extraData),
    consensusWeights: [...b.consensusWeights],
  };
}

describe('the real SM node vectors (FISCO-BCOS-DOC api.md) are reproduced byte for byte', () => {
  const raw = hex(DOC_SEND_TRANSACTION_RAW);
  const tx = decodeTransaction(raw);

  it('the node really ran in SM mode', () => {
    expect(DOC_NODE_INI_CONFIG.smCryptoType).toBe(true);
    expect(Buffer.from(hex(DOC_BLOCK_0.extraData)).toString('utf8')).toContain('sm_crypto:1');
  });

  it('decodes the sendTransaction example: v0, chain0/group0, blockLimit 507, a deploy', () => {
    expect(tx.data.version).toBe(0);
    expect(tx.data.chainId).toBe('chain0');
    expect(tx.data.groupId).toBe('group0');
    expect(tx.data.blockLimit).toBe(507n);
    expect(tx.data.nonce).toMatch(/^\d{77}$/);
    expect(tx.data.to).toBe('');
    expect(tx.data.input.length).toBe(1131);
    expect(JSON.parse(tx.data.abi)).toHaveLength(3);
    expect(tx.signature.length).toBe(128);
  });

  it('re-encodes it to the exact bytes the SDK sent', () => {
    expect(toHex(encodeTransaction(tx))).toBe(toHex(raw));
  });

  it('its dataHash is SM3 over the fields (and not Keccak)', () => {
    expect(toHex(receivedTransactionHash(sm, tx))).toBe(toHex(tx.dataHash));
    expect(toHex(receivedTransactionHash(cryptoSuite('standard'), tx))).not.toBe(toHex(tx.dataHash));
  });

  it('its SM2 signature verifies with user id 1234567812345678 (sm-crypto-v2), and so does ours', () => {
    const rs = toHex(tx.signature.subarray(0, 64));
    const pub = '04' + toHex(tx.signature.subarray(64));
    expect(sm2.doVerifySignature(tx.dataHash, rs, pub, { hash: true })).toBe(true);
    expect(sm2.doVerifySignature(tx.dataHash, rs, pub, { hash: false })).toBe(false);
    const signer = signerOf(sm, tx.dataHash, tx.signature);
    expect(signer && toHex(signer)).toBe(pub);
  });

  it('the sender is SM3 of the public key: the receipt `from`', () => {
    expect(accountOf(sm, tx.signature.subarray(64))).toBe(DOC_RECEIPT.from);
  });

  it('the deployed contract sits at SM3("2_0_0")[:20], with SM3 checksum casing', () => {
    const address = '0x' + toHex(contractAddress(sm, DOC_RECEIPT.blockNumber, 0, 0));
    expect(address).toBe(DOC_RECEIPT.contractAddress);
    expect(checksumAddress(sm, address)).toBe(DOC_RECEIPT.checksumContractAddress);
    // independent: sm-crypto-v2's SM3 of the same string
    expect('0x' + sm3Hex('2_0_0').slice(0, 40)).toBe(DOC_RECEIPT.contractAddress);
  });

  it('the receipt hash is SM3 over the receipt fields, and is the block receiptsRoot', () => {
    const h = receiptHash(sm, {
      version: DOC_RECEIPT.version,
      gasUsed: DOC_RECEIPT.gasUsed,
      contractAddress: DOC_RECEIPT.contractAddress.slice(2),
      status: DOC_RECEIPT.status,
      output: hex(DOC_RECEIPT.output),
      logEntries: [],
      blockNumber: DOC_RECEIPT.blockNumber,
    });
    expect('0x' + toHex(h)).toBe(DOC_RECEIPT.hash);
    expect(DOC_BLOCK_2.receiptsRoot).toBe(DOC_RECEIPT.hash);
    expect(toHex(merkleRoot(sm, [h]))).toBe(DOC_BLOCK_2.receiptsRoot.slice(2));
    expect(verifyMerkleProof(sm, DOC_RECEIPT.txReceiptProof.map(hex), h, hex(DOC_BLOCK_2.receiptsRoot))).toBe(true);
    expect(DOC_BLOCK_2.txsRoot).toBe(DOC_RECEIPT.transactionHash);
  });

  it('the block hashes are SM3 over the header fields (block 2 and genesis)', () => {
    expect('0x' + toHex(blockHash(sm, headerOf(DOC_BLOCK_2)))).toBe(DOC_BLOCK_2.hash);
    // The genesis header stores its roots and gasUsed empty; the node prints them as a zero hash and "0".
    const genesis = {
      ...headerOf(DOC_BLOCK_0),
      txsRoot: new Uint8Array(0),
      receiptsRoot: new Uint8Array(0),
      stateRoot: new Uint8Array(0),
      gasUsed: '',
    };
    expect('0x' + toHex(blockHash(sm, genesis))).toBe(DOC_BLOCK_0.hash);
    expect(toHex(blockHash(cryptoSuite('standard'), headerOf(DOC_BLOCK_2)))).not.toBe(DOC_BLOCK_2.hash.slice(2));
  });

  it("block 2's signatureList: 3 of the 4 sealers signed the block hash with SM2 (64-byte r‖s)", () => {
    const digest = hex(DOC_BLOCK_2.hash);
    const signers = DOC_BLOCK_2.signatureList.filter((s: { sealerIndex: number; signature: string }) =>
      sm2.doVerifySignature(digest, s.signature.slice(2), '04' + DOC_BLOCK_2.sealerList[s.sealerIndex]!.slice(2), { hash: true }),
    );
    expect(signers).toHaveLength(3);
    // n = 4 sealers tolerate f = 1: a quorum is 2f + 1 = 3
    expect(signers.length).toBeGreaterThanOrEqual(DOC_BLOCK_2.sealerList.length - Math.floor((DOC_BLOCK_2.sealerList.length - 1) / 3));
  });

  it('SM3 from OpenSSL (node:crypto) agrees with sm-crypto-v2, and Keccak with noble', () => {
    const data = hex('00ff10203040');
    expect(toHex(sm.hash(data))).toBe(sm3Hex(data));
    expect(toHex(cryptoSuite('standard').hash(data))).toBe(toHex(keccak_256(data)));
  });
});

import { describe, expect, it } from 'vitest';
import { AbiCoder, type FunctionFragment, type ParamType } from 'ethers';
import { sm3 as sm3Hex } from 'sm-crypto-v2';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { FiscoEvm } from '../emulator/fisco-evm.js';
import { cryptoSuite, type CryptoMode } from '../protocol/crypto-suite.js';
import { BYTECODE, SIGNATURES } from '../generated/contracts.js';
import { customAppsInterface } from '../custom-contract/contracts.js';
import { appInterface, registryInterface } from './abi.js';

// Expected hashes come from sm-crypto-v2 and noble, not from the build script's own hashing.
const HASH: Record<CryptoMode, (s: string) => string> = {
  sm: (s) => sm3Hex(s),
  standard: (s) => Buffer.from(keccak_256(Buffer.from(s))).toString('hex'),
};
const other = (mode: CryptoMode): CryptoMode => (mode === 'sm' ? 'standard' : 'sm');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));
const coder = AbiCoder.defaultAbiCoder();

/** A well-formed argument of each ABI type, so a known function never fails for its calldata's shape. */
function sample(p: ParamType): unknown {
  if (p.baseType === 'array') return [];
  if (p.type === 'address') return '0x' + '11'.repeat(20);
  if (p.type === 'bool') return false;
  if (p.type === 'string') return 'k';
  if (p.type === 'bytes') return '0x';
  if (p.type.startsWith('bytes')) return '0x' + '01'.repeat(Number(p.type.slice(5)));
  return 0n;
}

const abiSignatures = () => {
  const selectors = new Set<string>();
  const topics = new Set<string>();
  for (const iface of [appInterface, registryInterface, customAppsInterface]) {
    iface.forEachFunction((f) => selectors.add(f.format('sighash')));
    iface.forEachError((e) => selectors.add(e.format('sighash')));
    iface.forEachEvent((e) => topics.add(e.format('sighash')));
  }
  return { selectors, topics };
};

describe('the preset contracts, built per crypto mode from one Yul source', () => {
  it('the Yul sources and the adapter ABI name the same functions, errors and events', () => {
    const abi = abiSignatures();
    expect([...SIGNATURES.selectors].sort()).toEqual([...abi.selectors].sort());
    expect([...SIGNATURES.topics].sort()).toEqual([...abi.topics].sort());
  });

  it('the SM builds embed no Keccak selector or topic, and nothing a Solidity compiler inserts', () => {
    for (const name of ['BsnKvApp', 'BsnKvRegistry', 'BsnCustomApps'] as const) {
      const sm = BYTECODE.sm[name].bytecode;
      for (const s of SIGNATURES.selectors) expect(sm.includes(HASH.standard(s).slice(0, 8)), s).toBe(false);
      for (const s of SIGNATURES.topics) expect(sm.includes(HASH.standard(s)), s).toBe(false);
      for (const builtin of ['Panic(uint256)', 'Error(string)']) {
        for (const mode of ['sm', 'standard'] as const) {
          expect(BYTECODE[mode][name].bytecode.includes(HASH.sm(builtin).slice(0, 8))).toBe(false);
          expect(BYTECODE[mode][name].bytecode.includes(HASH.standard(builtin).slice(0, 8))).toBe(false);
        }
      }
    }
  });

  for (const mode of ['sm', 'standard'] as CryptoMode[]) {
    it(`${mode}: every function answers to its ${mode === 'sm' ? 'SM3' : 'Keccak'} selector and no other; errors and events carry the same hash`, async () => {
      const evm = await FiscoEvm.create(cryptoSuite(mode));
      const h = HASH[mode];
      const sender = bytes('22'.repeat(20));
      let n = 1;
      const ctx = () => ({ blockNumber: ++n, contextId: 0, timestamp: Date.now() });
      const impl = await evm.execute({ sender, input: bytes(BYTECODE[mode].BsnKvApp.bytecode) }, ctx());
      const registryCode = BYTECODE[mode].BsnKvRegistry.bytecode + coder.encode(['address'], ['0x' + impl.contractAddress]).slice(2);
      const registry = await evm.execute({ sender, input: bytes(registryCode) }, ctx());
      expect([impl.status, registry.status]).toEqual([0, 0]);
      const call = (selector: string, args: string) => bytes(selector + args);
      const create = registryInterface.getFunction('createApp')!;
      const created = await evm.execute(
        {
          sender,
          to: bytes(registry.contractAddress),
          input: call(h(create.format('sighash')).slice(0, 8), coder.encode(create.inputs, ['app-1', '0x', 0]).slice(2)),
        },
        ctx(),
      );
      expect(created.status).toBe(0);
      expect(Buffer.from(created.logs.at(-1)!.topics[0]!).toString('hex')).toBe(h('AppCreated(bytes32,string,address,address)'));
      const app = bytes(coder.decode(['address'], created.output)[0].slice(2));
      const errorSelectors = new Set([...SIGNATURES.selectors].map((s) => h(s).slice(0, 8)));

      for (const [iface, at] of [
        [appInterface, app],
        [registryInterface, bytes(registry.contractAddress)],
      ] as const) {
        for (const f of iface.fragments.filter((x) => x.type === 'function')) {
          const fn = iface.getFunction((f as FunctionFragment).name)!;
          if (iface === registryInterface && ['isMember', 'isFrozen', 'initialize'].includes(fn.name)) continue;
          const args = coder.encode(fn.inputs, fn.inputs.map(sample)).slice(2);
          const known = await evm.call(at, call(h(fn.format('sighash')).slice(0, 8), args), ctx(), sender);
          const recognised =
            known.status === 0 ||
            (known.output.length >= 4 && errorSelectors.has(Buffer.from(known.output.subarray(0, 4)).toString('hex')));
          expect(recognised, `${fn.format('sighash')} under its ${mode} selector (status ${known.status})`).toBe(true);
          const foreign = await evm.call(at, call(HASH[other(mode)](fn.format('sighash')).slice(0, 8), args), ctx(), sender);
          expect([foreign.status, foreign.output.length], `${fn.format('sighash')} under the other mode's selector`).toEqual([16, 0]);
        }
      }

      // the sender admins app-1; a stranger's put reverts NotMember with this mode's error selector
      const put = appInterface.getFunction('put')!;
      const stranger = bytes('33'.repeat(20));
      const refused = await evm.execute(
        {
          sender: stranger,
          to: app,
          input: call(h(put.format('sighash')).slice(0, 8), coder.encode(put.inputs, ['0x' + '01'.repeat(32), 'k', '0x01']).slice(2)),
        },
        ctx(),
      );
      expect(refused.status).toBe(16);
      expect(Buffer.from(refused.output.subarray(0, 4)).toString('hex')).toBe(h('NotMember(address)').slice(0, 8));
      const written = await evm.execute(
        {
          sender,
          to: app,
          input: call(h(put.format('sighash')).slice(0, 8), coder.encode(put.inputs, ['0x' + '01'.repeat(32), 'k', '0x01']).slice(2)),
        },
        ctx(),
      );
      expect(written.status).toBe(0);
      expect(written.logs.map((l) => Buffer.from(l.topics[0]!).toString('hex'))).toEqual([
        h('RequestExecuted(bytes32,bytes24)'),
        h('KvWritten(bytes32,string,bytes,bool,uint64)'),
        h('AppEvent(bytes32,string,bytes)'),
      ]);
      // the indexed name hash is the chain's hash of "kv.put", made by the KECCAK256 opcode
      expect(Buffer.from(written.logs[2]!.topics[1]!).toString('hex')).toBe(h('kv.put'));
    });
  }
});

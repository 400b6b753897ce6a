import { merkleProof } from '../protocol/merkle.js';
import type { GroupChain } from './group-chain.js';
import { blockJson, receiptJson, transactionJson } from './json-views.js';
import type { SealedBlock } from './ledger.js';
import { COMPATIBILITY_VERSION, EMULATOR_NAME, EMULATOR_VERSION, PROTOCOL_VERSION, versionNumber } from './node-identity.js';
import { RpcCode, RpcError } from './rpc-error.js';

type Params = unknown[];
type Method = (params: Params) => unknown | Promise<unknown>;

const hex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');
const bare = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function invalid(message: string): RpcError {
  return new RpcError(RpcCode.InvalidParams, message);
}

function str(params: Params, i: number, what: string): string {
  const v = params[i];
  if (typeof v !== 'string') throw invalid(`params[${i}] (${what}) must be a string`);
  return v;
}

function int(params: Params, i: number, what: string): number {
  const v = params[i];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalid(`params[${i}] (${what}) must be an integer`);
  return v;
}

function bool(params: Params, i: number, fallback: boolean): boolean {
  const v = params[i];
  return v === undefined ? fallback : v === true;
}

function bytesOf(text: string, what: string): Uint8Array {
  const body = text.replace(/^0x/i, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(body)) throw invalid(`${what} is not hex`);
  return Uint8Array.from(Buffer.from(body, 'hex'));
}

function address(text: string, what: string): Uint8Array {
  const b = bytesOf(text, what);
  if (b.length !== 20) throw invalid(`${what} is not a 20-byte address`);
  return b;
}

/** A block number tag as bcos-rpc getBlockNumberByTag reads it: latest/earliest/pending or a hex quantity. */
function blockTag(tag: unknown, latest: number): number {
  if (tag === 'latest' || tag === 'pending' || tag === 'safe' || tag === 'finalized') return latest;
  if (tag === 'earliest') return 0;
  if (typeof tag === 'string' && /^0x[0-9a-fA-F]+$/.test(tag)) return Number.parseInt(tag, 16);
  if (typeof tag === 'number' && Number.isSafeInteger(tag)) return tag;
  throw invalid(`invalid block tag ${JSON.stringify(tag)}`);
}

/**
 * The JSON-RPC methods of a 3.x node (bcos-rpc jsonrpc/JsonRpcInterface.cpp), with their
 * `[groupID, nodeName, …]` parameters. Groups other than this chain's are refused the way a
 * node refuses a group it does not serve; node names are ignored (an Air node has one node).
 */
export function rpcMethods(chain: GroupChain): Record<string, Method> {
  const { ledger, suite } = chain;
  const group = (params: Params, what: string) => {
    const g = params[0];
    if (g !== undefined && g !== '' && g !== chain.groupId) {
      throw new RpcError(
        RpcCode.NodeNotExistOrNotStarted,
        `Invalid request for the specified node of doesn't exist or doesn't started! request=${what}, chain=${chain.chainId}, group=${String(g)}, node=${String(params[1] ?? '')}`,
      );
    }
  };
  const blockAt = (n: number): SealedBlock => {
    if (n < 0) throw new RpcError(RpcCode.LedgerErrorArgument, 'Wrong argument');
    const block = ledger.block(n);
    if (!block) throw new RpcError(RpcCode.LedgerGetStorageError, `GetBlockDataByNumber: Entry: ${n} does not exists!`);
    return block;
  };
  const iniConfig = () =>
    JSON.stringify({
      binaryInfo: { buildTime: '', gitCommitHash: '', platform: EMULATOR_NAME, version: PROTOCOL_VERSION },
      chainID: chain.chainId,
      groupID: chain.groupId,
      smCryptoType: chain.mode === 'sm',
      isWasm: false,
      isAuthCheck: false,
      isSerialExecute: true,
      nodeID: bare(chain.committee.nodeIds()[0]!),
      nodeName: bare(chain.committee.nodeIds()[0]!),
      rpcServiceName: '',
      gatewayServiceName: '',
      emulator: { name: EMULATOR_NAME, version: EMULATOR_VERSION },
    }) + '\n';
  const groupInfo = () => ({
    chainID: chain.chainId,
    groupID: chain.groupId,
    genesisConfig:
      JSON.stringify({
        blockTxCountLimit: 1000,
        consensusLeaderPeriod: 1,
        consensusType: 'pbft',
        sealerList: chain.committee.nodeIds().map((id) => ({ nodeID: bare(id), weight: 1 })),
        txGasLimit: 3000000000,
      }) + '\n',
    iniConfig: '',
    nodeList: [
      {
        iniConfig: iniConfig(),
        microService: false,
        name: bare(chain.committee.nodeIds()[0]!),
        nodeID: bare(chain.committee.nodeIds()[0]!),
        protocol: { compatibilityVersion: versionNumber(COMPATIBILITY_VERSION), maxSupportedVersion: 1, minSupportedVersion: 0 },
        serviceInfo: [],
        type: 1,
      },
    ],
  });
  const systemConfig: Record<string, string> = {
    tx_count_limit: '1000',
    tx_gas_limit: '3000000000',
    consensus_leader_period: '1',
    compatibility_version: COMPATIBILITY_VERSION,
    auth_check_status: '0',
    tx_gas_price: '0',
  };

  return {
    getBlockNumber: (p) => (group(p, 'getBlockNumber'), ledger.height()),
    getGroupList: () => ({ code: 0, msg: 'success', groupList: [chain.groupId] }),
    getGroupInfo: (p) => (group(p, 'getGroupInfo'), groupInfo()),
    getGroupInfoList: () => [groupInfo()],
    getGroupNodeInfo: (p) => (group(p, 'getGroupNodeInfo'), groupInfo().nodeList[0]),
    getSealerList: (p) => (group(p, 'getSealerList'), chain.committee.nodeIds().map((id) => ({ nodeID: bare(id), weight: 1 }))),
    getObserverList: (p) => (group(p, 'getObserverList'), []),
    getPbftView: (p) => (group(p, 'getPbftView'), ledger.height()),
    getPendingTxSize: (p) => (group(p, 'getPendingTxSize'), chain.pendingCount()),
    getSyncStatus: (p) => {
      group(p, 'getSyncStatus');
      const head = ledger.head();
      return (
        JSON.stringify({
          archivedBlockNumber: 0,
          blockNumber: head.header.number,
          genesisHash: bare(ledger.block(0)!.hash),
          isSyncing: false,
          knownHighestNumber: head.header.number,
          knownLatestHash: bare(head.hash),
          latestHash: bare(head.hash),
          nodeID: bare(chain.committee.nodeIds()[0]!),
          peers: [],
        }) + '\n'
      );
    },
    getConsensusStatus: (p) => {
      group(p, 'getConsensusStatus');
      const head = ledger.head();
      return (
        JSON.stringify({
          blockNumber: head.header.number,
          consensusNodeList: chain.committee.nodeIds().map((id, index) => ({ index, nodeID: bare(id), weight: 1 })),
          consensusNodesNum: chain.committee.size,
          hash: bare(head.hash),
          maxFaultyQuorum: chain.committee.size - chain.committee.quorum(),
          minRequiredQuorum: chain.committee.quorum(),
          isConsensusNode: true,
          timeout: false,
        }) + '\n'
      );
    },
    getSystemConfigByKey: (p) => {
      group(p, 'getSystemConfigByKey');
      const key = str(p, 2, 'key');
      const value = systemConfig[key];
      if (value === undefined) throw new RpcError(3009, `empty entry for ${key}`);
      return { blockNumber: 0, value };
    },
    getTotalTransactionCount: (p) => (group(p, 'getTotalTransactionCount'), { blockNumber: ledger.height(), ...ledger.counts() }),
    getPeers: () => ({ endPoint: '127.0.0.1', groupNodeIDInfo: [], p2pNodeID: '', peers: [] }),
    getGroupPeers: (p) => (group(p, 'getGroupPeers'), chain.committee.nodeIds().map(bare)),
    getBlockNumberByHash: (p) => {
      group(p, 'getBlockNumberByHash');
      const block = ledger.blockByHash(str(p, 2, 'blockHash'));
      if (!block) throw new RpcError(RpcCode.LedgerGetStorageError, 'GetBlockNumberByHash failed');
      return block.header.number;
    },
    getBlockByNumber: (p) => {
      group(p, 'getBlockByNumber');
      return blockJson(blockAt(int(p, 2, 'blockNumber')), bool(p, 3, true), bool(p, 4, true));
    },
    getBlockByHash: (p) => {
      group(p, 'getBlockByHash');
      const block = ledger.blockByHash(str(p, 2, 'blockHash'));
      if (!block) throw new RpcError(RpcCode.LedgerGetStorageError, 'GetBlockNumberByHash failed');
      return blockJson(block, bool(p, 3, true), bool(p, 4, true));
    },
    getBlockHashByNumber: (p) => (group(p, 'getBlockHashByNumber'), blockAt(int(p, 2, 'blockNumber')).id),
    getTransaction: (p) => {
      group(p, 'getTransaction');
      const at = ledger.locate(str(p, 2, 'txHash'));
      if (!at) throw new RpcError(RpcCode.LedgerGetStorageError, 'Batch get transaction failed');
      const json = transactionJson(at.block.transactions[at.index]!);
      if (bool(p, 3, false)) {
        const proof = merkleProof(
          suite,
          at.block.transactions.map((t) => t.hash),
          at.index,
        );
        return { ...json, transactionProof: [], txProof: proof.map(bare) };
      }
      return json;
    },
    getTransactionReceipt: (p) => {
      group(p, 'getTransactionReceipt');
      const txId = str(p, 2, 'txHash').toLowerCase();
      const at = ledger.locate(txId);
      if (!at) throw new RpcError(RpcCode.LedgerGetStorageError, 'GetTransactionReceiptByHash');
      const t = at.block.transactions[at.index]!;
      const json: Record<string, unknown> = {
        ...receiptJson(suite, at.block.receipts[at.index]!, t.id),
        input: hex(t.tx.data.input),
        from: t.sender,
        to: t.tx.data.to,
        extraData: t.tx.extraData,
      };
      if (bool(p, 3, false)) {
        json['receiptProof'] = [];
        json['txReceiptProof'] = merkleProof(
          suite,
          at.block.receipts.map((r) => r.hash),
          at.index,
        ).map(bare);
      }
      return json;
    },
    sendTransaction: async (p) => {
      group(p, 'sendTransaction');
      const raw = bytesOf(str(p, 2, 'signedTransactionData'), 'signedTransactionData');
      const { block, index } = await chain.submit(raw);
      const t = block.transactions[index]!;
      const json: Record<string, unknown> = {
        ...receiptJson(suite, block.receipts[index]!, t.id),
        to: t.tx.data.to,
        from: t.sender,
        input: hex(t.tx.data.input),
        extraData: t.tx.extraData,
      };
      if (bool(p, 3, false)) {
        const proof = merkleProof(
          suite,
          block.receipts.map((r) => r.hash),
          index,
        ).map(bare);
        json['txReceiptProof'] = proof;
        json['receiptProof'] = proof;
      }
      return json;
    },
    call: async (p) => {
      group(p, 'call');
      const to = address(str(p, 2, 'to'), 'to');
      const data = bytesOf(str(p, 3, 'data'), 'data');
      const r = await chain.call(to, data);
      return { blockNumber: r.blockNumber, status: r.status, output: hex(r.output) };
    },
    getCode: async (p) => {
      group(p, 'getCode');
      return hex(await chain.evm.code(address(str(p, 2, 'address'), 'address')));
    },
    getABI: (p) => {
      group(p, 'getABI');
      return ledger.abiOf(bare(address(str(p, 2, 'address'), 'address')));
    },
    getLogs: (p) => {
      group(p, 'getLogs');
      return logs(chain, p[1]);
    },
  };
}

/** `getLogs [group, filter]` (bcos-rpc filter/FilterSystem.cpp, LogMatcher.cpp): only successful receipts' logs. */
function logs(chain: GroupChain, filter: unknown): unknown[] {
  if (typeof filter !== 'object' || filter === null) throw invalid('params[1] must be a filter object');
  const f = filter as { fromBlock?: unknown; toBlock?: unknown; address?: unknown; topics?: unknown; blockhash?: unknown };
  for (const field of ['fromBlock', 'toBlock', 'address', 'topics'] as const) {
    if (f[field] === undefined || f[field] === null) throw invalid(`${field} is null`);
  }
  const latest = chain.ledger.height();
  const addresses = new Set((Array.isArray(f.address) ? f.address : [f.address]).map((a) => String(a).toLowerCase()));
  addresses.delete('');
  if (!Array.isArray(f.topics) || f.topics.length > 4) throw invalid('exceed max topics');
  const topics = f.topics.map((t) => (t === null ? [] : (Array.isArray(t) ? t : [t]).map((x) => String(x).toLowerCase())));
  let from: number;
  let to: number;
  if (typeof f.blockhash === 'string') {
    const block = chain.ledger.blockByHash(f.blockhash);
    if (!block) throw invalid('unknown block');
    from = to = block.header.number;
  } else {
    from = blockTag(f.fromBlock, latest);
    to = Math.min(blockTag(f.toBlock, latest), latest);
    if (from < 0 || to < 0) throw invalid('invalid block range params');
  }
  const out: unknown[] = [];
  for (let n = from; n <= to; n++) {
    const block = chain.ledger.block(n)!;
    block.receipts.forEach((r, txIndex) => {
      if (r.fields.status !== 0) return;
      r.fields.logEntries.forEach((log, i) => {
        const address = '0x' + log.address;
        if (addresses.size && !addresses.has(address)) return;
        if (topics.length > log.topics.length) return;
        const logTopics = log.topics.map(hex);
        if (!topics.every((wanted, k) => wanted.length === 0 || wanted.includes(logTopics[k]!))) return;
        out.push({
          data: hex(log.data),
          logIndex: '0x' + i.toString(16),
          blockNumber: '0x' + n.toString(16),
          blockHash: block.id,
          transactionIndex: '0x' + txIndex.toString(16),
          transactionHash: block.transactions[txIndex]!.id,
          removed: false,
          address,
          topics: logTopics,
        });
      });
    });
  }
  return out;
}

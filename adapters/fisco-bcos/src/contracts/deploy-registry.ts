import { AbiCoder } from 'ethers';
import { RejectedByChainError, type Signer } from '@bsn/contract';
import { DEFAULTS, type ResolvedConfig } from '../config.js';
import { ChainReader, hexToBytes } from '../node/chain-reader.js';
import { FiscoRpc } from '../node/fisco-rpc.js';
import type { ReceiptJson } from '../node/node-json.js';
import { cryptoSuite, type CryptoMode } from '../protocol/crypto-suite.js';
import { Transactions } from '../transactions.js';
import { BYTECODE } from '../generated/contracts.js';

/**
 * Deploys the BSN app registry on a FISCO BCOS group (the preset implementation, then the
 * registry pointing at it) and returns its address, the network config's `registry`. The
 * devnets do this on every fresh chain; an operator does it once per group.
 */
export async function deployRegistry(o: {
  rpcUrl: string;
  crypto: CryptoMode;
  signer: Signer;
  chainId?: string;
  groupId?: string;
  timeoutMs?: number;
}): Promise<{ registry: string; implementation: string }> {
  const config: ResolvedConfig = {
    ...DEFAULTS,
    name: 'deploy',
    rpcUrl: o.rpcUrl,
    crypto: o.crypto,
    registry: '0x' + '00'.repeat(20),
    chainId: o.chainId ?? DEFAULTS.chainId,
    groupId: o.groupId ?? DEFAULTS.groupId,
  };
  const suite = cryptoSuite(o.crypto);
  const rpc = new FiscoRpc(o.rpcUrl, config.groupId, o.timeoutMs ?? DEFAULTS.requestTimeoutMs);
  try {
    const txs = new Transactions(suite, config, new ChainReader(rpc));
    const deadline = () => Date.now() + (o.timeoutMs ?? DEFAULTS.submitTimeoutMs);
    const implementation = deployed(
      await txs.signAndSend('', hexToBytes(BYTECODE[o.crypto].BsnKvApp.bytecode), o.signer, 'deploying BsnKvApp', deadline()),
    );
    const code = BYTECODE[o.crypto].BsnKvRegistry.bytecode + AbiCoder.defaultAbiCoder().encode(['address'], [implementation]).slice(2);
    const registry = deployed(await txs.signAndSend('', hexToBytes(code), o.signer, 'deploying BsnKvRegistry', deadline()));
    return { registry, implementation };
  } finally {
    rpc.close();
  }
}

function deployed(receipt: ReceiptJson): string {
  if (receipt.status !== 0 || !receipt.contractAddress) {
    throw new RejectedByChainError(`the deploy failed with status ${receipt.status}`, { stage: 'commit', txId: receipt.transactionHash });
  }
  return receipt.contractAddress.toLowerCase();
}

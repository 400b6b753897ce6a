import { AbiCoder } from 'ethers';
import { RejectedByChainError, type Signer } from '@bsn/contract';
import { DEFAULTS, type ResolvedConfig } from '../config.js';
import { BYTECODE } from '../generated/contracts.js';
import { ChainReader, hexToBytes } from '../node/chain-reader.js';
import { FiscoRpc } from '../node/fisco-rpc.js';
import { cryptoSuite, type CryptoMode } from '../protocol/crypto-suite.js';
import { Transactions } from '../transactions.js';

/**
 * Deploys BsnCustomApps beside the group's preset registry and returns its address, the network
 * config's `customApps`. The devnets do this on every fresh chain; an operator once per group.
 */
export async function deployCustomApps(o: {
  rpcUrl: string;
  crypto: CryptoMode;
  signer: Signer;
  registry: string;
  chainId?: string;
  groupId?: string;
  timeoutMs?: number;
}): Promise<string> {
  const config: ResolvedConfig = {
    ...DEFAULTS,
    name: 'deploy',
    rpcUrl: o.rpcUrl,
    crypto: o.crypto,
    registry: o.registry,
    chainId: o.chainId ?? DEFAULTS.chainId,
    groupId: o.groupId ?? DEFAULTS.groupId,
  };
  const rpc = new FiscoRpc(o.rpcUrl, config.groupId, o.timeoutMs ?? DEFAULTS.requestTimeoutMs);
  try {
    const txs = new Transactions(cryptoSuite(o.crypto), config, new ChainReader(rpc));
    const code = BYTECODE[o.crypto].BsnCustomApps.bytecode + AbiCoder.defaultAbiCoder().encode(['address'], [o.registry]).slice(2);
    const receipt = await txs.signAndSend(
      '',
      hexToBytes(code),
      o.signer,
      'deploying BsnCustomApps',
      Date.now() + (o.timeoutMs ?? DEFAULTS.submitTimeoutMs),
    );
    if (receipt.status !== 0 || !receipt.contractAddress)
      throw new RejectedByChainError(`deploying BsnCustomApps failed with status ${receipt.status}`, {
        stage: 'commit',
        txId: receipt.transactionHash,
      });
    return receipt.contractAddress.toLowerCase();
  } finally {
    rpc.close();
  }
}

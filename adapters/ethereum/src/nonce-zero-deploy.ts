import { UnavailableError, type Logger } from '@bsn/contract';
import type { ChainReader } from './chain.js';
import type { ResolvedConfig } from './config.js';
import { FRAMEWORK } from './describe.js';
import type { Finality } from './finality.js';
import type { NonceManager } from './nonce-manager.js';
import { addressOf, localKeySigner, signTransaction } from './signer-bridge.js';
import type { TxSender } from './transactions.js';

export interface DeployDeps {
  config: ResolvedConfig;
  chain: ChainReader;
  sender: TxSender;
  nonces: NonceManager;
  finality: Finality;
  logger: Logger;
}

/**
 * Deploys a dev-network contract (the registry, the packet outbox) as the first transaction
 * of a deployer key every adapter instance derives alike, funding the deployer from the
 * faucet, and waits until the contract is at `address` (its nonce-0 create address).
 * Several adapters racing here is fine: nonce 0 can be used once, so the losers see a
 * stale-nonce refusal and simply wait for the winner's contract to appear.
 * `missing(used)` is the error when it does not appear (`used`: the deployer's nonce 0 went
 * to something else).
 */
export async function deployAtNonceZero(
  deps: DeployDeps,
  o: { deployerKey: string; address: string; data: string; name: string; missing(used: boolean): string; role: string },
): Promise<void> {
  const { config, chain, sender, nonces, finality, logger } = deps;
  const deployer = localKeySigner(o.deployerKey);
  const from = addressOf(deployer.publicKey);
  const deadline = Date.now() + config.submitTimeoutMs;
  if ((await chain.nonce(from, 'pending')) === 0) {
    logger.info(`ethereum adapter: deploying the ${o.name}`, { [o.role]: o.address, deployer: from });
    try {
      const tx = await sender.unsigned(from, { data: o.data, what: `deploying the BSN ${o.name}` }, 0);
      const cost = tx.gasLimit * tx.maxFeePerGas!;
      if ((await chain.balance(from)) < cost) {
        const faucet = localKeySigner(config.faucet!.privateKey);
        await sender.fund(faucet, from, cost, `funding the ${o.name} deployer`);
      }
      const signed = await signTransaction(tx, deployer);
      await nonces.sendFixed(from, 0, { hash: signed.hash!, raw: signed.serialized });
      await finality.mined(signed.hash!, deadline);
    } catch (error) {
      // Another adapter may have won the race for nonce 0; its contract is what we wait for.
      logger.warn(`ethereum adapter: ${o.name} deployment did not go through, waiting for another one`, {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  for (;;) {
    if ((await chain.code(o.address)) !== '0x') return;
    const used = (await chain.nonce(from, 'latest')) > 0;
    if (used && (await chain.code(o.address)) !== '0x') return;
    if (used || Date.now() > deadline) {
      throw new UnavailableError(o.missing(used), { detail: { framework: FRAMEWORK, data: { [o.role]: o.address, deployer: from } } });
    }
    await finality.sleep(100);
  }
}

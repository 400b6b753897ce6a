/** The ABI of each contract account the adapter talks to, read once from the chain (`get_raw_abi`). */
import { UnavailableError } from '@bsn/contract';
import { ContractAbi } from './antelope/index.js';
import { toBsnError } from './errors.js';
import { FRAMEWORK } from './framework.js';
import type { NodeApi } from './node-api.js';

export class ContractAbis {
  private readonly cache = new Map<string, Promise<ContractAbi>>();

  constructor(private readonly api: NodeApi) {}

  of(account: string): Promise<ContractAbi> {
    let abi = this.cache.get(account);
    if (!abi) {
      abi = this.load(account);
      this.cache.set(account, abi);
      abi.catch(() => this.cache.delete(account));
    }
    return abi;
  }

  /** Forgets an account's ABI (after `setabi`). */
  forget(account: string): void {
    this.cache.delete(account);
  }

  private async load(account: string): Promise<ContractAbi> {
    let raw: { abi?: string };
    try {
      raw = await this.api.rawAbi(account);
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `reading the ABI of ${account}` });
    }
    if (!raw.abi) {
      throw new UnavailableError(`account ${account} runs no contract (no ABI): the preset contract is not deployed there`, {
        stage: 'query',
        detail: { framework: FRAMEWORK, message: 'no abi', data: { account } },
      });
    }
    return ContractAbi.fromRaw(Uint8Array.from(Buffer.from(raw.abi, 'base64')));
  }
}

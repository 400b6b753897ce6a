import type { Interface } from 'ethers';
import {
  InvalidInputError,
  NotFoundError,
  RejectedByChainError,
  UnauthorizedError,
  isBsnError,
  type BsnError,
  type FrameworkDetail,
} from '@bsn/contract';
import { customAppsInterface, customProxyInterface } from './contracts.js';

function decode(data: string, abis: Interface[]): { name: string; args: Record<string, string>; text: string } | undefined {
  for (const abi of abis) {
    try {
      const parsed = abi.parseError(data);
      if (!parsed) continue;
      const args = Object.fromEntries(parsed.fragment.inputs.map((p, i) => [p.name || String(i), String(parsed.args[i])]));
      return {
        name: parsed.name,
        args,
        text: `${parsed.name}(${Object.entries(args)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')})`,
      };
    } catch {
      // not this ABI's error
    }
  }
  return undefined;
}

/**
 * The adapter's mapping knows the preset contracts' errors; a revert it could not name comes
 * from the custom-app registry, the app's proxy or the app's own code. This names it by their
 * ABIs (the app's versions' too) and types it: NotWriter → UnauthorizedError, NoSuchApp →
 * NotFoundError, code that deploys nothing → InvalidInputError at the package's bytecode, and
 * the app's own errors → RejectedByChainError carrying their name and arguments.
 */
export function customError(error: unknown, appAbis: Interface[] = []): unknown {
  if (!isBsnError(error)) return error;
  const data = error.detail?.data as { revert?: { name?: string }; revertData?: string } | undefined;
  if (data?.revert?.name !== 'unknown' || typeof data.revertData !== 'string') return error;
  const revert = decode(data.revertData, [customAppsInterface, customProxyInterface, ...appAbis]);
  if (!revert) return error;
  const detail: FrameworkDetail = {
    ...error.detail!,
    message: `execution reverted: ${revert.text}`,
    data: { ...data, revert: { name: revert.name, args: revert.args } },
  };
  const opts = { detail, ...(error.stage && { stage: error.stage }), ...(error.txId && { txId: error.txId }) };
  const prefix = error.message.replace(/the transaction reverted.*$/s, '');
  let typed: BsnError;
  switch (revert.name) {
    case 'NotWriter':
      typed = new UnauthorizedError(`${prefix}${revert.args.account} may not write to the app (not a member, or the app is frozen)`, opts);
      break;
    case 'NoSuchApp':
      typed = new NotFoundError(`${prefix}no app ${JSON.stringify(revert.args.appId)} on this network`, opts);
      break;
    case 'ImplementationNotCreated':
      typed = new InvalidInputError(`${prefix}the package's creation code deployed no code`, {
        ...opts,
        field: '/contract/package/bytecode',
      });
      break;
    default:
      typed = new RejectedByChainError(`${prefix}the transaction reverted: ${revert.text}`, opts);
  }
  return typed;
}

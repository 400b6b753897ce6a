import { AbiCoder, type Interface, dataSlice, isHexString } from 'ethers';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  RejectedByChainError,
  UnauthorizedError,
  UnavailableError,
  errorMapping,
  isBsnError,
  messagePrefix,
  type BsnError,
  type ErrorContext,
  type FrameworkDetail,
} from '@bsn/contract';
import { appInterface, registryInterface } from './abi.js';
import { FRAMEWORK } from './describe.js';
import { deliveryInterface } from './interchain/delivery-abi.js';
import { outboxInterface } from './interchain/outbox.js';
import { JsonRpcError } from './rpc.js';

/** A revert decoded against the BSN contracts' ABIs (custom errors) or Solidity's Error/Panic. */
export interface DecodedRevert {
  name: string;
  /** Named arguments, JSON-safe (bigints as decimal strings). */
  args: Record<string, string | number | boolean>;
  /** Human-readable form, e.g. `NotMember(account=0xAb…)`. */
  text: string;
  /** Raw revert data, hex. */
  data: string;
}

const ERROR_STRING = '0x08c379a0';
const PANIC = '0x4e487b71';
/** Every BSN contract the adapter calls: their custom errors are decoded by name. */
const INTERFACES: Interface[] = [appInterface, registryInterface, outboxInterface, deliveryInterface];

function jsonSafe(value: unknown): string | number | boolean {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return String(value);
}

export function decodeRevert(data: string | undefined): DecodedRevert | undefined {
  if (!data || !isHexString(data) || data.length < 10) return undefined;
  const selector = dataSlice(data, 0, 4);
  try {
    if (selector === ERROR_STRING) {
      const [reason] = AbiCoder.defaultAbiCoder().decode(['string'], dataSlice(data, 4));
      return { name: 'Error', args: { reason: String(reason) }, text: String(reason), data };
    }
    if (selector === PANIC) {
      const [code] = AbiCoder.defaultAbiCoder().decode(['uint256'], dataSlice(data, 4));
      return { name: 'Panic', args: { code: jsonSafe(code) }, text: `Panic(0x${(code as bigint).toString(16)})`, data };
    }
    for (const iface of INTERFACES) {
      const parsed = iface.parseError(data);
      if (!parsed) continue;
      const args: DecodedRevert['args'] = {};
      parsed.fragment.inputs.forEach((input, i) => {
        args[input.name || String(i)] = jsonSafe(parsed.args[i]);
      });
      const text = `${parsed.name}(${Object.entries(args)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')})`;
      return { name: parsed.name, args, text, data };
    }
  } catch {
    // fall through: undecodable data is reported raw
  }
  return { name: 'unknown', args: {}, text: `unrecognised revert data ${data.slice(0, 74)}`, data };
}

/** Revert data carried by a node's error: geth and anvil put it in `error.data` as hex. */
export function revertDataOf(error: JsonRpcError): string | undefined {
  const d = error.data as unknown;
  if (typeof d === 'string' && isHexString(d)) return d;
  if (d && typeof d === 'object') {
    const inner = (d as { data?: unknown }).data;
    if (typeof inner === 'string' && isHexString(inner)) return inner;
  }
  const m = /(0x[0-9a-fA-F]{8,})/.exec(error.rpcMessage);
  return m?.[1];
}

export function isRevert(error: unknown): boolean {
  return error instanceof JsonRpcError && (error.code === 3 || /revert/i.test(error.rpcMessage));
}

/** Turns a decoded revert into the typed error the adaptation standard prescribes. */
export function revertToError(revert: DecodedRevert | undefined, ctx: ErrorContext, chainMessage?: string, rpcCode?: number): BsnError {
  const detail: FrameworkDetail = {
    framework: FRAMEWORK,
    ...(rpcCode !== undefined && { code: rpcCode }),
    message: revert ? `execution reverted: ${revert.text}` : (chainMessage ?? 'execution reverted'),
    data: {
      ...(revert && { revert: { name: revert.name, args: revert.args }, revertData: revert.data }),
      ...(chainMessage && { rpcMessage: chainMessage }),
      ...(ctx.txId && { txId: ctx.txId }),
    },
  };
  const opts = { detail, stage: ctx.stage, ...(ctx.txId && { txId: ctx.txId }) };
  const prefix = messagePrefix(ctx);
  switch (revert?.name) {
    case 'NotMember':
      return new UnauthorizedError(`${prefix}${revert.args.account} is not a member of the app`, opts);
    case 'NotAdmin':
      return new UnauthorizedError(`${prefix}${revert.args.account} is not the app's admin`, opts);
    case 'AppFrozen':
      return new UnauthorizedError(`${prefix}the app is frozen: writes are refused`, opts);
    case 'UnknownApp':
      return new NotFoundError(`${prefix}no app ${JSON.stringify(revert.args.appId)} on this network`, opts);
    case 'KeyNotFound':
      return new NotFoundError(`${prefix}key ${JSON.stringify(revert.args.key)} does not exist`, opts);
    case 'InvalidInput':
      return new InvalidInputError(`${prefix}${revert.args.reason}`, { ...opts, stage: 'validate', field: String(revert.args.field) });
    case 'AppExists':
      return new ConflictError(`${prefix}app ${JSON.stringify(revert.args.appId)} exists already`, opts);
    case 'AdminIsPermanentMember':
      return new ConflictError(`${prefix}the admin ${revert.args.admin} cannot be removed from the members`, opts);
    case 'NotOwner':
      return new UnauthorizedError(`${prefix}${revert.args.account} is not the operator of the interchain contract`, opts);
    case 'NotInterchain':
      return new UnauthorizedError(`${prefix}${revert.args.account} is not the interchain contract this app trusts`, opts);
    case 'BelowThreshold':
      return new UnauthorizedError(
        `${prefix}attestations below threshold: ${revert.args.counted} of the ${revert.args.needed} pinned attesters needed signed`,
        opts,
      );
    case 'Unauthorized':
      return new UnauthorizedError(`${prefix}${revert.args.reason}`, opts);
    case 'Conflict':
      return new ConflictError(`${prefix}${revert.args.reason}`, opts);
    case 'NotFound':
      return new NotFoundError(`${prefix}${revert.args.reason}`, opts);
    case 'RequestAlreadyExecuted':
      return new ConflictError(`${prefix}the request id was executed already`, opts);
    default:
      return new RejectedByChainError(`${prefix}the transaction reverted${revert ? `: ${revert.text}` : ''}`, opts);
  }
}

const NONCE_PATTERNS =
  /nonce too low|nonce too high|replacement transaction underpriced|already known|known transaction|nonce has already been used|invalid nonce/i;

export function isNonceError(error: unknown): boolean {
  return error instanceof JsonRpcError && NONCE_PATTERNS.test(error.rpcMessage);
}

/** Maps anything an operation threw to one of core's typed errors, keeping the node's words. */
export const toBsnError = errorMapping(FRAMEWORK, (error, ctx, prefix) => {
  if (!(error instanceof JsonRpcError)) return undefined;
  if (isRevert(error)) return revertToError(decodeRevert(revertDataOf(error)), ctx, error.rpcMessage, error.code);
  const detail: FrameworkDetail = {
    framework: FRAMEWORK,
    code: error.code,
    message: error.rpcMessage,
    data: { method: error.method, ...(ctx.txId && { txId: ctx.txId }) },
  };
  const opts = { detail, stage: ctx.stage, cause: error, ...(ctx.txId && { txId: ctx.txId }) };
  if (/insufficient funds/i.test(error.rpcMessage)) {
    return new RejectedByChainError(`${prefix}the account cannot pay for gas (provision it first): ${error.rpcMessage}`, opts);
  }
  if (error.code === -32005 || /rate limit|too many requests|limit exceeded/i.test(error.rpcMessage)) {
    return new UnavailableError(`${prefix}the node refused for load: ${error.rpcMessage}`, opts);
  }
  if (error.code === -32601) {
    return new UnavailableError(`${prefix}the node does not serve ${error.method}`, opts);
  }
  return new RejectedByChainError(`${prefix}${error.rpcMessage}`, opts);
});

/** The revert a mapped error was decoded from (`detail.data.revert`), if it carries one. */
export function revertOf(error: unknown): Pick<DecodedRevert, 'name' | 'args'> | undefined {
  if (!isBsnError(error)) return undefined;
  const revert = (error.detail?.data as { revert?: Pick<DecodedRevert, 'name' | 'args'> } | undefined)?.revert;
  return typeof revert?.name === 'string' ? revert : undefined;
}

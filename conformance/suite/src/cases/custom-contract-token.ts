/**
 * The sample token the custom-contract cases deploy, call and upgrade, with what the chain
 * itself says of it (the target's token reader, never the adapter) beside what the adapter says.
 */
import { expect } from 'vitest';
import {
  isBsnError,
  type AppInfo,
  type BsnError,
  type Receipt,
  type SampleCall,
  type TokenChainReader,
  type TokenSample,
} from '@bsn/contract';
import type { Actor, SuiteContext } from '../context.js';

export interface TokenWorld {
  sample: TokenSample;
  /** The token read on the chain without the adapter. */
  onChain: TokenChainReader;
}

/** Runs `body` with the target's sample token and its chain reader (closed afterwards). */
export async function withToken(ctx: SuiteContext, body: (w: TokenWorld) => Promise<void>): Promise<void> {
  if (!ctx.tokenSample)
    throw new Error(
      'the target supplies no sample token (DevnetProvider.tokenSample in the devnets module): an adapter claiming lifecycle.custom-contract must',
    );
  const sample = await ctx.tokenSample();
  const onChain = sample.reader(ctx.network);
  try {
    await body({ sample, onChain });
  } finally {
    await onChain.close?.();
  }
}

/** Version 1 deployed as an app administered by the suite's admin (the token's owner), the member admitted. */
export function deployToken(ctx: SuiteContext, w: TokenWorld, appId = ctx.unique('token')): Promise<AppInfo> {
  return ctx.newApp({ appId, name: 'sample token', contract: w.sample.v1(ctx.admin.account) });
}

export function submitCall(ctx: SuiteContext, app: AppInfo, call: SampleCall, who: Actor): Promise<Receipt> {
  return ctx.adapter.gateway.submit({ app, method: call.method, args: call.args, requestId: ctx.unique('req') }, who.signer);
}

/** The balance as the adapter reads it (evaluate) and as the chain holds it; they must agree. */
export async function balanceOf(ctx: SuiteContext, w: TokenWorld, app: AppInfo, who: Actor): Promise<bigint> {
  const call = w.sample.balance(who.account);
  const read = w.sample.balanceOf((await ctx.adapter.gateway.evaluate({ app, method: call.method, args: call.args })).result);
  const held = await w.onChain.balance(app, who.account);
  expect(read, `${who.name}'s balance through the adapter is the one ${w.onChain.source} holds`).toBe(held);
  return held;
}

/** Mints `amount` to the member (by the owner) and has the member send `sent` back: the state an upgrade must keep. */
export async function fundMember(ctx: SuiteContext, w: TokenWorld, app: AppInfo, amount: bigint, sent: bigint): Promise<Receipt[]> {
  const minted = await submitCall(ctx, app, w.sample.mint(ctx.member.account, amount), ctx.admin);
  const moved = await submitCall(ctx, app, w.sample.transfer(ctx.admin.account, sent), ctx.member);
  return [minted, moved];
}

/**
 * Awaits `attempt` and demands a typed error (any code unless `code` is given): a refusal an
 * adapter cannot describe is no refusal a caller can act on.
 */
export async function expectTypedFailure(attempt: Promise<unknown>, what: string, code?: BsnError['code']): Promise<BsnError> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) throw new Error(`${what}: expected a typed error, but it succeeded`);
  if (!isBsnError(error))
    throw new Error(`${what}: expected a typed error, got an untyped ${error instanceof Error ? error.message : String(error)}`);
  if (code) expect(`${error.code}: ${error.message}`, what).toMatch(new RegExp(`^${code}:`));
  return error;
}

/**
 * Runs a refused `attempt` and checks, through the target's chain reader, that no transaction
 * committed valid meanwhile (the suite is the only writer on its chain while a case runs).
 */
export async function refusedWithNoTransaction<T>(ctx: SuiteContext, what: string, attempt: () => Promise<T>): Promise<T> {
  const head = ctx.chain ? await ctx.chain.head() : undefined;
  const outcome = await attempt();
  if (ctx.chain && head !== undefined) {
    const now = await ctx.chain.head();
    for (let n = head + 1; n <= now; n++) {
      for (const txId of (await ctx.chain.block(n))?.txIds ?? []) {
        expect((await ctx.chain.transaction(txId))?.valid, `${what}: transaction ${txId} committed valid in block ${n}`).not.toBe(true);
      }
    }
  }
  return outcome;
}

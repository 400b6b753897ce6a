import { describe, expect, test } from 'vitest';
import { NonceManager } from './nonce-manager.js';
import { JsonRpcError, type RpcClient } from './rpc.js';

/** An RPC boundary whose pool refuses the first `refusals` broadcasts for insufficient funds. */
function laggingPool(refusals: number) {
  const sent: string[] = [];
  const pool = { refusals };
  const rpc = {
    async call(method: string, params: unknown[]) {
      if (method === 'eth_getTransactionCount') return '0x7';
      if (method === 'eth_getTransactionByHash') return null;
      if (method === 'eth_sendRawTransaction') {
        sent.push(params[0] as string);
        if (sent.length <= pool.refusals)
          throw new JsonRpcError(
            method,
            -32000,
            'insufficient funds for gas * price + value: balance 0, tx cost 21000000000000, overshot 21000000000000',
          );
        return '0xabc';
      }
      throw new Error(`unexpected ${method}`);
    },
  } as unknown as RpcClient;
  return { rpc, sent, pool };
}

describe("broadcast while the node's pool lags behind a funding block", () => {
  test('the same transaction is sent again until the pool sees the funds; the nonce is used once', async () => {
    const { rpc, sent } = laggingPool(3);
    const nonces = new NonceManager(rpc);
    nonces.funded('0x1111111111111111111111111111111111111111');
    const r = await nonces.send(
      '0x1111111111111111111111111111111111111111',
      async () => 'p',
      async (nonce) => ({ hash: '0xabc', raw: `0xraw-${nonce}` }),
    );
    expect(r.nonce).toBe(7);
    expect(sent).toEqual(['0xraw-7', '0xraw-7', '0xraw-7', '0xraw-7']);
  });

  test("a sender that really has no funds fails with the node's words after the bounded retries", async () => {
    const { rpc, sent, pool } = laggingPool(Infinity);
    const nonces = new NonceManager(rpc);
    nonces.funded('0x1111111111111111111111111111111111111111');
    const started = Date.now();
    const error = await nonces
      .send(
        '0x1111111111111111111111111111111111111111',
        async () => 'p',
        async (nonce) => ({ hash: '0xabc', raw: `0xraw-${nonce}` }),
      )
      .catch((e: unknown) => e);
    expect(String((error as Error).message)).toMatch(/insufficient funds/);
    expect(sent).toHaveLength(6);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    // The refused nonce was not taken: once funded, the next send uses it.
    pool.refusals = 0;
    expect(
      (
        await nonces.send(
          '0x1111111111111111111111111111111111111111',
          async () => 'p',
          async (n) => ({ hash: '0xabc', raw: `0xraw-${n}` }),
        )
      ).nonce,
    ).toBe(7);
  });

  test('a sender this adapter did not just fund is refused at once: no waiting on a pool that is not lagging', async () => {
    const { rpc, sent } = laggingPool(Infinity);
    const nonces = new NonceManager(rpc);
    const error = await nonces
      .send(
        '0x2222222222222222222222222222222222222222',
        async () => 'p',
        async (nonce) => ({ hash: '0xabc', raw: `0xraw-${nonce}` }),
      )
      .catch((e: unknown) => e);
    expect(String((error as Error).message)).toMatch(/insufficient funds/);
    expect(sent).toHaveLength(1);
  });
});

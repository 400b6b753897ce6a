import { describe, expect, test } from 'vitest';
import { NonceManager, type SignedTx } from './nonce-manager.js';
import { JsonRpcError, type RpcClient } from './rpc.js';

/** A node that starts the account at `pending` and records what it was sent (raw = `nonce:label`). */
function fakeNode(pending: number, refuse: (raw: string) => string | undefined = () => undefined) {
  const broadcast: string[] = [];
  const rpc = {
    async call<T>(method: string, params: unknown[] = []): Promise<T> {
      if (method === 'eth_getTransactionCount') return `0x${(pending + broadcast.length).toString(16)}` as T;
      if (method === 'eth_getTransactionByHash') return null as T;
      if (method === 'eth_sendRawTransaction') {
        const raw = String(params[0]);
        const reason = refuse(raw);
        if (reason) throw new JsonRpcError(method, -32000, reason);
        broadcast.push(raw);
        return `hash-${raw}` as T;
      }
      throw new Error(`unexpected ${method}`);
    },
  } as unknown as RpcClient;
  return { rpc, broadcast };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const signed = (nonce: number, label: string): SignedTx => ({ raw: `${nonce}:${label}`, hash: `hash-${nonce}:${label}` });

describe('nonce pipeline (no chain)', () => {
  test('sends are broadcast in submission order with consecutive nonces, however long each one prepares', async () => {
    const node = fakeNode(7);
    const nonces = new NonceManager(node.rpc);
    const builds: string[] = [];
    const send = (label: string, prepareMs: number) =>
      nonces.send(
        '0xabc',
        () => sleep(prepareMs).then(() => label),
        async (nonce, prepared) => {
          builds.push(`${nonce}:${prepared}`);
          return signed(nonce, prepared);
        },
      );
    // Warm the cached count so later sends sign speculatively before their turn.
    await send('warm', 0);
    const sent = await Promise.all([send('a', 40), send('b', 0), send('c', 20), send('d', 5)]);
    expect(sent.map((s) => s.nonce)).toEqual([8, 9, 10, 11]);
    expect(node.broadcast).toEqual(['7:warm', '8:a', '9:b', '10:c', '11:d']);
    // Each was signed once, with the nonce it was broadcast with.
    expect(builds).toEqual(expect.arrayContaining(['8:a', '9:b', '10:c', '11:d']));
    expect(builds).toHaveLength(5);
  });

  test('a send that fails before broadcast uses no nonce: the ones behind it are signed again and leave no gap', async () => {
    const node = fakeNode(0);
    const nonces = new NonceManager(node.rpc);
    const builds: string[] = [];
    const build = async (nonce: number, label: string) => {
      builds.push(`${nonce}:${label}`);
      return signed(nonce, label);
    };
    await nonces.send('0xabc', async () => 'warm', build);
    const results = await Promise.allSettled([
      nonces.send(
        '0xabc',
        () =>
          sleep(10).then(() => {
            throw new Error('estimate reverted');
          }),
        build,
      ),
      nonces.send('0xabc', async () => 'x', build),
      nonces.send(
        '0xabc',
        async () => 'y',
        async (nonce, label) => {
          if (label === 'y' && nonce === 2) throw new Error('signer unavailable');
          return build(nonce, label);
        },
      ),
      nonces.send('0xabc', async () => 'z', build),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(node.broadcast).toEqual(['0:warm', '1:x', '2:z']);
    // x and z were first signed for the nonces they would have had (2 and 4), then again for 1 and 2; the guesses never reached the node.
    expect(builds).toEqual(expect.arrayContaining(['2:x', '1:x', '2:z']));
  });

  test('a nonce taken by someone else is re-read and the transaction signed anew', async () => {
    let stolen = false;
    const node = fakeNode(3, (raw) => {
      if (raw.startsWith('4:') && !stolen) {
        stolen = true;
        return 'nonce too low';
      }
      return undefined;
    });
    const nonces = new NonceManager(node.rpc);
    const build = async (nonce: number, label: string) => signed(nonce, label);
    await nonces.send('0xabc', async () => 'first', build);
    // Another process uses nonce 4 behind our back: the node's count moves on.
    node.broadcast.push('4:theirs');
    const sent = await nonces.send('0xabc', async () => 'second', build);
    expect(sent.nonce).toBe(5);
    expect(node.broadcast).toEqual(['3:first', '4:theirs', '5:second']);
  });
});

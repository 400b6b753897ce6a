import { describe, expect, test } from 'vitest';
import { BsnIdentity, PRESET_METHODS, type PreparedTransaction, type SubmitRequest } from '@bsn/contract';
import { bytes } from '@bsn/contract/testing';
import type { ResolvedConfig } from './config.js';
import type { FabricConnection } from './connection.js';
import type { PresetChaincode } from './chaincode-client.js';
import type { Transactor } from './transactions.js';
import { UserKeyRelay, authorisationDigest, type PreparedPayload, type UserAuthorisation } from './user-key.js';

/** A relay whose chain is faked: it records what would be relayed instead of sending it. */
function relay() {
  const relayed: Array<{ fn: string; args: unknown[] }> = [];
  const config = { channel: 'bsnchannel', chaincode: 'bsn-preset-kv', submitTimeoutMs: 60_000, preparedTtlMs: 300_000 } as ResolvedConfig;
  const transactor = {
    async transact(_gateway: unknown, fn: string, args: unknown[]) {
      relayed.push({ fn, args });
      return { txId: 'a'.repeat(64) };
    },
    receiptOf: (committed: { txId: string }, requestId: string) => ({ txId: committed.txId, requestId }),
  } as unknown as Transactor;
  const chaincode = { app: async () => ({ createdTx: 'b'.repeat(64) }) } as unknown as PresetChaincode;
  const userKey = new UserKeyRelay({ config, connection: { service: {} } as FabricConnection, chaincode, transactor });
  return { userKey, relayed };
}

const key = BsnIdentity.generate().keyFor('fabric', 'secp256r1');
const account = { publicKey: key.publicKey, algorithm: key.algorithm };
const request: SubmitRequest = { app: { appId: 'app-1' }, method: PRESET_METHODS.put, args: ['k', bytes('v')], requestId: 'req-1' };
const sign = (p: PreparedTransaction) => key.signer.signDigest(Buffer.from(p.digest, 'hex'));

const withPayload = (p: PreparedTransaction, change: (payload: PreparedPayload) => void): PreparedTransaction => {
  const payload = JSON.parse(Buffer.from(p.payload, 'base64').toString('utf8')) as PreparedPayload;
  change(payload);
  return { ...p, payload: Buffer.from(JSON.stringify(payload)).toString('base64') };
};

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'no refusal',
    (e: { code?: string; field?: string }) => `${e.code} ${e.field ?? ''}`.trim(),
  );

describe('user-key relay (no network: the chain is faked)', () => {
  test("prepare hands out the kit's envelope: the request, the key, an expiry equal to the signed one", async () => {
    const { userKey } = relay();
    const before = Date.now();
    const prepared = await userKey.prepare(request, account);
    expect(prepared).toMatchObject({
      request: { ...request, args: request.args },
      algorithm: 'secp256r1',
      publicKey: Buffer.from(key.publicKey).toString('hex'),
    });
    expect(prepared.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(prepared.expiresAt).toBeGreaterThanOrEqual(before + 300_000);
    const payload = JSON.parse(Buffer.from(prepared.payload, 'base64').toString('utf8')) as PreparedPayload;
    expect(JSON.parse(payload.auth)).toMatchObject({
      app: 'app-1',
      method: 'put',
      requestId: 'req-1',
      key: 'k',
      expiresAt: prepared.expiresAt,
    });
  });

  test('prepare refuses what is not a Fabric account, naming the field', async () => {
    const { userKey } = relay();
    expect(await refusal(userKey.prepare(request, null as never))).toBe('INVALID_INPUT /account');
    expect(await refusal(userKey.prepare(request, { ...account, algorithm: 'secp256k1' }))).toBe('INVALID_INPUT /account/algorithm');
    expect(await refusal(userKey.prepare(request, { ...account, publicKey: new Uint8Array(3) }))).toBe('INVALID_INPUT /account/publicKey');
    expect(await refusal(userKey.prepare({ ...request, method: 'get', args: ['k'] }, account))).toBe('INVALID_INPUT /method');
  });

  test('submitPrepared refuses a tampered, foreign or expired envelope before anything is relayed', async () => {
    const { userKey, relayed } = relay();
    const prepared = await userKey.prepare(request, account);
    const signature = await sign(prepared);
    expect(await refusal(userKey.submitPrepared(null as never, signature))).toBe('INVALID_INPUT /prepared');
    expect(await refusal(userKey.submitPrepared({ ...prepared, payload: '%%%' }, signature))).toBe('INVALID_INPUT /payload');
    expect(await refusal(userKey.submitPrepared({ ...prepared, payload: Buffer.from('null').toString('base64') }, signature))).toBe(
      'INVALID_INPUT /payload',
    );
    expect(
      await refusal(
        userKey.submitPrepared(
          withPayload(prepared, (p) => {
            p.auth = '{';
          }),
          signature,
        ),
      ),
    ).toBe('INVALID_INPUT /payload');
    expect(
      await refusal(
        userKey.submitPrepared(
          withPayload(prepared, (p) => {
            p.channel = 'other';
          }),
          signature,
        ),
      ),
    ).toBe('INVALID_INPUT /payload');
    expect(await refusal(userKey.submitPrepared({ ...prepared, request: { ...request, args: ['k', bytes('other')] } }, signature))).toBe(
      'INVALID_INPUT /payload',
    );
    expect(await refusal(userKey.submitPrepared({ ...prepared, digest: 'c'.repeat(64) }, signature))).toBe('INVALID_INPUT /payload');
    expect(await refusal(userKey.submitPrepared({ ...prepared, expiresAt: prepared.expiresAt + 1 }, signature))).toBe(
      'INVALID_INPUT /payload',
    );
    const stranger = BsnIdentity.generate().keyFor('fabric', 'secp256r1');
    expect(await refusal(userKey.submitPrepared(prepared, await stranger.signer.signDigest(Buffer.from(prepared.digest, 'hex'))))).toBe(
      'UNAUTHORIZED',
    );

    // Consistent and signed, only past its expiry.
    let authJson = '';
    const stale = withPayload(prepared, (p) => {
      authJson = JSON.stringify({ ...(JSON.parse(p.auth) as UserAuthorisation), expiresAt: Date.now() - 1 });
      p.auth = authJson;
    });
    const expired = {
      ...stale,
      expiresAt: (JSON.parse(authJson) as UserAuthorisation).expiresAt,
      digest: Buffer.from(authorisationDigest(authJson)).toString('hex'),
    };
    expect(await refusal(userKey.submitPrepared(expired, await sign(expired)))).toBe('CONFLICT /expiresAt');
    expect(relayed).toEqual([]);
  });

  test('a matching signature relays invokeSigned(authJson, signature) as the org, for the request id prepared', async () => {
    const { userKey, relayed } = relay();
    const prepared = await userKey.prepare(request, account);
    const receipt = await userKey.submitPrepared(prepared, await sign(prepared));
    expect(receipt).toMatchObject({ requestId: 'req-1' });
    expect(relayed).toHaveLength(1);
    expect(relayed[0]!.fn).toBe('invokeSigned');
    const payload = JSON.parse(Buffer.from(prepared.payload, 'base64').toString('utf8')) as PreparedPayload;
    expect(relayed[0]!.args[0]).toBe(payload.auth);
  });
});

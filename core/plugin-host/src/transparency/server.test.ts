import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBsnError } from '@bsn/contract';
import { makeCertifier } from '../testing/make-plugin.js';
import { certificate, newLog, tempDir } from './__fixtures__/log-fixtures.js';
import { auditLog, remoteAuditSource } from './audit.js';
import { LogClient } from './client.js';
import { certificateLeafHash } from './entry.js';
import type { TransparencyLog } from './log.js';
import { startLogServer, type RunningLogServer } from './server.js';
import { memorySthStore } from './sth-store.js';
import { LogVerifier } from './verifier.js';

let dir: string;
let cleanup: () => Promise<void>;
let log: TransparencyLog;
let server: RunningLogServer;
let client: LogClient;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('bsn-log-server-'));
  ({ log } = await newLog(join(dir, 'log'), { count: 2 }));
  server = await startLogServer(log);
  client = new LogClient(server.url);
});
afterAll(async () => {
  await server.close();
  await cleanup();
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('the log over HTTP', () => {
  it('binds 127.0.0.1 on a free port by default', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it('takes certificates, and a city node verifies them end to end through the client', async () => {
    const node = new LogVerifier({ log: log.publicKey, store: memorySthStore(), consistency: client.consistency });
    const first = await client.submit(certificate(10));
    expect(first).toMatchObject({ index: 2, duplicate: false, sth: { payload: { size: 3 } } });
    expect(await node.checkCertificate(certificate(10), first)).toMatchObject({ accepted: true, index: 2 });

    const second = await client.submit({ kind: 'certificate', document: certificate(11) });
    expect(second.index).toBe(3);
    // The node checks the new head against the one it saw, fetching the consistency proof over HTTP.
    const ev = await client.evidence(certificateLeafHash(certificate(11)));
    expect(await node.checkCertificate(certificate(11), ev)).toMatchObject({ accepted: true, treeHead: { size: 4 } });
    expect(await client.submit(certificate(10))).toMatchObject({ index: 2, duplicate: true });
  });

  it('serves heads, proofs and leaves', async () => {
    const latest = await client.treeHead();
    expect(latest).toEqual(await log.latestTreeHead());
    expect((await client.treeHead(1)).payload.size).toBe(1);
    expect((await client.treeHeads()).map((h) => h.payload.size)).toEqual([0, 1, 2, 3, 4]);
    const hash = certificateLeafHash(certificate(1));
    expect(await client.inclusionProof(hash, 3)).toEqual(await log.inclusionProof(hash, 3));
    expect(await client.consistencyProof(1, 4)).toEqual(await log.consistencyProof(1, 4));
    expect(await client.entries()).toEqual(await log.entries(0, 10));
    expect(await client.entries(1, 3)).toEqual(await log.entries(1, 3));
  });

  it('answers a certificate that is not in the log with no proof', async () => {
    const absent = certificateLeafHash(certificate(404));
    expect(await client.inclusionProof(absent)).toBeUndefined();
    expect(await client.evidence(absent)).toBeUndefined();
  });

  it('refuses strangers, garbage and impossible ranges with typed errors', async () => {
    const stranger = makeCertifier('Stranger');
    expect(isBsnError(await rejection(client.submit(certificate(1, stranger.key))), 'UNAUTHORIZED')).toBe(true);
    expect(isBsnError(await rejection(client.submit({ kind: 'nonsense' })), 'INVALID_INPUT')).toBe(true);
    expect(isBsnError(await rejection(client.consistencyProof(3, 2)), 'INVALID_INPUT')).toBe(true);
    expect(isBsnError(await rejection(client.consistencyProof(1, 99)), 'INVALID_INPUT')).toBe(true);
    expect(isBsnError(await rejection(client.treeHead(99)), 'NOT_FOUND')).toBe(true);
    const raw = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${server.url}${path}`, init);
      return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
    };
    expect(await raw('/proof/inclusion?hash=xyz')).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } });
    expect(await raw('/proof/consistency?first=-1&second=2')).toMatchObject({ status: 400 });
    expect(await raw('/leaves', { method: 'POST', body: '{not json' })).toMatchObject({ status: 400 });
    expect(await raw('/leaves', { method: 'POST', body: 'x'.repeat(300 * 1024) })).toMatchObject({ status: 413 });
    expect(await raw('/sth', { method: 'DELETE' })).toMatchObject({ status: 405 });
    expect(await raw('/nowhere')).toMatchObject({ status: 404 });
    expect((await client.treeHead()).payload.size).toBe(4);
  });

  it('is audited remotely, its proofs included', async () => {
    const report = await auditLog(remoteAuditSource(client), log.publicKey);
    expect(report).toMatchObject({ ok: true, size: 4, treeHeads: 5 });
    const unreachable = new LogClient('http://127.0.0.1:1', { timeoutMs: 2000 });
    expect(isBsnError(await rejection(unreachable.treeHead()), 'UNAVAILABLE')).toBe(true);
  });
});

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, isBsnError, verifyDocument } from '@bsn/contract';
import { makeCertifier } from '../testing/make-plugin.js';
import { certificate, certifier, newLog, tempDir } from './__fixtures__/log-fixtures.js';
import { certificateLeafHash, entryLeafHash } from './entry.js';
import { LOG_FILES, TransparencyLog } from './log.js';
import { EMPTY_ROOT, hashesFromHex, verifyConsistency, verifyInclusion } from './merkle.js';
import { REVOCATION_DOMAIN, certificateSha256, revokeCertificate } from './revocation.js';
import { verifyTreeHead } from './tree-head.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

const bytes = (h: string) => fromHex(h);

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('TransparencyLog', () => {
  it('starts with a signed head of the empty tree and refuses to be created twice', async () => {
    const { log } = await newLog(join(dir, 'empty'));
    const sth = await log.latestTreeHead();
    expect(verifyTreeHead(sth, log.publicKey)).toMatchObject({ ok: true, head: { v: 1, log: 'test-log', size: 0 } });
    expect(sth.payload.rootHash).toBe(Buffer.from(EMPTY_ROOT).toString('hex'));
    const again = await rejection(
      TransparencyLog.create(join(dir, 'empty'), {
        name: 'x',
        signingKey: { algorithm: 'secp256r1', privateKey: new Uint8Array(32).fill(7) },
      }),
    );
    expect(isBsnError(again, 'CONFLICT')).toBe(true);
  });

  it('appends leaves, returning evidence that verifies, and every pair of heads is consistent', async () => {
    const { log, certificates } = await newLog(join(dir, 'grow'), { count: 9 });
    const heads = await log.treeHeads();
    expect(heads.map((h) => h.payload.size)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const cert of certificates) {
      const ev = await log.evidence(certificateLeafHash(cert));
      expect(ev).toBeDefined();
      const root = bytes(ev!.sth.payload.rootHash);
      expect(verifyInclusion(ev!.index, 9, bytes(certificateLeafHash(cert)), hashesFromHex(ev!.proof)!, root)).toBe(true);
    }
    for (const a of heads) {
      for (const b of heads.filter((h) => h.payload.size >= a.payload.size)) {
        const proof = hashesFromHex(await log.consistencyProof(a.payload.size, b.payload.size))!;
        const ok = verifyConsistency(a.payload.size, b.payload.size, proof, bytes(a.payload.rootHash), bytes(b.payload.rootHash));
        expect(ok, `${a.payload.size} → ${b.payload.size}`).toBe(true);
      }
    }
    // Each append's own evidence is under the head it produced.
    const result = await log.append(certificate(100));
    expect(result).toMatchObject({ index: 9, duplicate: false, log: 'test-log' });
    expect(result.sth.payload.size).toBe(10);
    expect(verifyInclusion(9, 10, bytes(result.leafHash), hashesFromHex(result.proof)!, bytes(result.sth.payload.rootHash))).toBe(true);
  });

  it('stores canonical leaves and does not log the same document twice', async () => {
    const { log, certificates } = await newLog(join(dir, 'dup'), { count: 2 });
    const reordered = JSON.parse(JSON.stringify({ signature: certificates[0]!.signature, payload: certificates[0]!.payload }));
    const again = await log.append({ kind: 'certificate', document: reordered });
    expect(again).toMatchObject({ index: 0, duplicate: true });
    expect((await log.latestTreeHead()).payload.size).toBe(2);
    const lines = (await readFile(join(dir, 'dup', LOG_FILES.leaves), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual({ kind: 'certificate', document: certificates[0] });
  });

  it('logs revocations as leaves of their own kind', async () => {
    const { log, certificates } = await newLog(join(dir, 'revoke'), { count: 1 });
    const revocation = revokeCertificate(certificates[0]!, certifier.key, {
      reason: 'key compromise',
      now: new Date('2025-07-01T00:00:00Z'),
    });
    expect(revocation.payload.certificate.sha256).toBe(certificateSha256(certificates[0]!));
    expect(verifyDocument(revocation, REVOCATION_DOMAIN, [certifier.trust]).ok).toBe(true);
    const result = await log.append(revocation);
    expect(result.index).toBe(1);
    expect(result.leafHash).toBe(entryLeafHash({ kind: 'revocation', document: revocation }));
    expect(await log.entries(0, 10)).toEqual([
      { kind: 'certificate', document: certificates[0] },
      { kind: 'revocation', document: revocation },
    ]);
  });

  it('accepts only documents signed by a certifier it serves, well formed', async () => {
    const { log, certificates } = await newLog(join(dir, 'strict'), { count: 1 });
    const stranger = makeCertifier('Stranger');
    const untrusted = await rejection(log.append(certificate(5, stranger.key)));
    expect(isBsnError(untrusted, 'UNAUTHORIZED')).toBe(true);
    const forged = structuredClone(certificates[0]!);
    forged.payload.plugin.version = '6.6.6';
    const errors = await Promise.all([
      rejection(log.append(forged)),
      rejection(log.append({ kind: 'certificate', document: certificates[0], extra: 1 })),
      rejection(log.append({ kind: 'receipt', document: certificates[0] })),
      rejection(log.append('not an entry')),
      rejection(log.append({ kind: 'revocation', document: certificates[0] })),
    ]);
    for (const err of errors) expect(isBsnError(err, 'INVALID_INPUT'), err.message).toBe(true);
    expect((await log.latestTreeHead()).payload.size).toBe(1);
  });

  it('has no inclusion proof for a certificate that is not in it', async () => {
    const { log } = await newLog(join(dir, 'missing'), { count: 3 });
    const absent = certificateLeafHash(certificate(42));
    expect(await log.inclusionProof(absent)).toBeUndefined();
    expect(await log.evidence(absent)).toBeUndefined();
  });

  it('serves reads without its key, and refuses appends', async () => {
    await newLog(join(dir, 'readonly'), { count: 2 });
    const log = await TransparencyLog.open(join(dir, 'readonly'));
    expect((await log.latestTreeHead()).payload.size).toBe(2);
    expect(isBsnError(await rejection(log.append(certificate(9))), 'UNAVAILABLE')).toBe(true);
    const wrongKey = await rejection(
      TransparencyLog.open(join(dir, 'readonly'), { signingKey: { algorithm: 'secp256r1', privateKey: new Uint8Array(32).fill(9) } }),
    );
    expect(isBsnError(wrongKey, 'INVALID_INPUT')).toBe(true);
    expect(isBsnError(await rejection(TransparencyLog.open(join(dir, 'nowhere'))), 'NOT_FOUND')).toBe(true);
  });

  it('sees appends made by another process on the same folder', async () => {
    const { log: first, signingKey } = await newLog(join(dir, 'shared'), { count: 1 });
    const second = await TransparencyLog.open(join(dir, 'shared'), { signingKey });
    expect((await second.append(certificate(1))).index).toBe(1);
    expect((await first.append(certificate(2))).index).toBe(2);
    expect((await second.latestTreeHead()).payload.size).toBe(3);
    const sizes = (await first.treeHeads()).map((h) => h.payload.size);
    expect(sizes).toEqual([0, 1, 2, 3]);
  });

  it('refuses to sign over a history that was edited on disk', async () => {
    const { signingKey, certificates } = await newLog(join(dir, 'edited'), { count: 3 });
    const path = join(dir, 'edited', LOG_FILES.leaves);
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[1] = lines[0]!.replace(certificates[0]!.payload.plugin.name, '@evil/adapter');
    await writeFile(path, lines.join('\n'));
    const log = await TransparencyLog.open(join(dir, 'edited'), { signingKey });
    const err = await rejection(log.append(certificate(7)));
    expect(isBsnError(err, 'CONFLICT')).toBe(true);
    expect(err.message).toContain('no longer match the signed tree head of size 3');
  });
});

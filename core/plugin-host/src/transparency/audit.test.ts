import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '@bsn/contract';
import { certificate, newLog, tempDir } from './__fixtures__/log-fixtures.js';
import { auditLog, localAuditSource } from './audit.js';
import { LOG_FILES } from './log.js';
import { signTreeHead } from './tree-head.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir('bsn-log-audit-')));
afterAll(() => cleanup());

async function editLines(path: string, edit: (lines: string[]) => string[]): Promise<void> {
  const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
  await writeFile(path, `${edit(lines).join('\n')}\n`);
}

describe('auditLog on a log folder', () => {
  it('passes an untouched log', async () => {
    const { log } = await newLog(join(dir, 'clean'), { count: 6 });
    const report = await auditLog(localAuditSource(join(dir, 'clean')), log.publicKey);
    expect(report).toMatchObject({ ok: true, size: 6, treeHeads: 7, latest: { payload: { size: 6 } }, warnings: [] });
  });

  it('names the leaf that was changed in place', async () => {
    const { log } = await newLog(join(dir, 'changed'), { count: 6 });
    // Another validly signed, canonical certificate: only the roots can tell.
    await editLines(join(dir, 'changed', LOG_FILES.leaves), (lines) => {
      lines[2] = canonicalJson({ kind: 'certificate', document: certificate(50) });
      return lines;
    });
    const report = await auditLog(localAuditSource(join(dir, 'changed')), log.publicKey);
    expect(report).toMatchObject({ ok: false, problem: { leaf: 2, treeHead: 3 } });
    expect(!report.ok && report.problem.message).toBe('leaf 2 was changed: the leaves no longer hash to the signed head of size 3');
  });

  it('names a leaf whose document was edited', async () => {
    const { log, certificates } = await newLog(join(dir, 'forged'), { count: 4 });
    await editLines(join(dir, 'forged', LOG_FILES.leaves), (lines) => {
      lines[1] = lines[1]!.replace(certificates[1]!.payload.plugin.name, '@evil/adapter');
      return lines;
    });
    const report = await auditLog(localAuditSource(join(dir, 'forged')), log.publicKey);
    expect(report).toMatchObject({ ok: false, problem: { leaf: 1 } });
    expect(!report.ok && report.problem.message).toMatch(/^leaf 1 is not a valid entry: the certificate's signature is invalid/);
  });

  it('finds truncated leaves, bad heads and torn lines', async () => {
    const { log, signingKey } = await newLog(join(dir, 'broken'), { count: 4 });
    const leaves = join(dir, 'broken', LOG_FILES.leaves);
    const heads = join(dir, 'broken', LOG_FILES.treeHeads);
    const original = { leaves: await readFile(leaves, 'utf8'), heads: await readFile(heads, 'utf8') };
    const audit = () => auditLog(localAuditSource(join(dir, 'broken')), log.publicKey);
    const restore = async () => {
      await writeFile(leaves, original.leaves);
      await writeFile(heads, original.heads);
    };

    await editLines(leaves, (lines) => lines.slice(0, 3));
    expect(await audit()).toMatchObject({ ok: false, problem: { message: 'the latest tree head covers 4 leaves but the log has 3' } });
    await restore();

    await editLines(heads, (lines) => {
      const h = JSON.parse(lines[2]!);
      h.payload.rootHash = '00'.repeat(32);
      lines[2] = JSON.stringify(h);
      return lines;
    });
    expect(await audit()).toMatchObject({ ok: false, problem: { treeHead: 2 } });
    await restore();

    // A head signed by the right key over a different history of the same size.
    const forkHead = signTreeHead({ v: 1, log: 'test-log', size: 4, rootHash: 'ab'.repeat(32), timestamp: Date.now() + 1000 }, signingKey);
    await appendFile(heads, `${JSON.stringify(forkHead)}\n`);
    expect(await audit()).toMatchObject({
      ok: false,
      problem: { treeHead: 5, message: 'tree heads #4 and #5 give size 4 two different roots' },
    });
    await restore();

    await appendFile(leaves, '{"kind":"certif');
    expect(await audit()).toMatchObject({ ok: false, problem: { leaf: 4, message: 'leaf 4 is not JSON' } });
    await restore();

    // A crash between a leaf and its head: not a problem, but said.
    await appendFile(leaves, `${canonicalJson({ kind: 'certificate', document: certificate(9) })}\n`);
    expect(await audit()).toMatchObject({ ok: true, size: 5, warnings: ['1 leaf(s) are not yet covered by a signed tree head'] });
    await restore();
    expect(await audit()).toMatchObject({ ok: true });
  });
});

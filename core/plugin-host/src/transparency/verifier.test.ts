import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '@bsn/contract';
import { certificate, newLog, tempDir } from './__fixtures__/log-fixtures.js';
import { certificateLeafHash } from './entry.js';
import { LOG_FILES, TransparencyLog, type InclusionEvidence } from './log.js';
import { fileSthStore, memorySthStore, sthStorePath, type SthStore } from './sth-store.js';
import { signTreeHead, type SignedTreeHead } from './tree-head.js';
import { LogVerifier, type ConsistencyProofSource } from './verifier.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir('bsn-log-verifier-')));
afterAll(() => cleanup());

function verifierFor(log: TransparencyLog, store: SthStore = memorySthStore(), consistency?: ConsistencyProofSource) {
  return new LogVerifier({ log: log.publicKey, store, consistency: consistency ?? ((a, b) => log.consistencyProof(a, b)) });
}

async function evidenceOf(log: TransparencyLog, n: number): Promise<InclusionEvidence> {
  const ev = await log.evidence(certificateLeafHash(certificate(n)));
  if (!ev) throw new Error(`certificate ${n} is not in the log`);
  return ev;
}

describe('LogVerifier', () => {
  it('accepts a logged certificate, then follows the log as it grows, never shrinking its view', async () => {
    const { log } = await newLog(join(dir, 'grow'), { count: 3 });
    const store = memorySthStore();
    const verifier = verifierFor(log, store);
    const early = await evidenceOf(log, 1); // under the head of size 3
    expect(await verifier.checkCertificate(certificate(1), early)).toMatchObject({ accepted: true, index: 1, treeHead: { size: 3 } });
    expect((await store.load())?.payload.size).toBe(3);

    await log.append(certificate(3));
    await log.append(certificate(4));
    const late = await evidenceOf(log, 4);
    expect(await verifier.checkCertificate(certificate(4), late)).toMatchObject({ accepted: true, index: 4, treeHead: { size: 5 } });
    expect((await store.load())?.payload.size).toBe(5);

    // Evidence issued with an older head is still good: that head is proven a prefix of what was seen.
    expect(await verifier.checkCertificate(certificate(1), early)).toMatchObject({ accepted: true, treeHead: { size: 3 } });
    expect((await store.load())?.payload.size).toBe(5);
    // And a head already seen needs no proof at all.
    expect(await verifier.checkCertificate(certificate(4), late)).toMatchObject({ accepted: true });
  });

  it('refuses a certificate without evidence, or one that is not in the log', async () => {
    const { log } = await newLog(join(dir, 'missing'), { count: 3 });
    const verifier = verifierFor(log);
    expect(await verifier.checkCertificate(certificate(1), undefined)).toMatchObject({ accepted: false, reason: 'log-missing' });
    // Not in the log: the log has no proof for it, and no other leaf's proof verifies for it.
    expect(await log.evidence(certificateLeafHash(certificate(99)))).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      const borrowed = await evidenceOf(log, i);
      expect(await verifier.checkCertificate(certificate(99), borrowed)).toMatchObject({
        accepted: false,
        reason: 'log-inclusion-invalid',
      });
    }
  });

  it('refuses tree heads not signed by the pinned key, or altered', async () => {
    const { log, signingKey } = await newLog(join(dir, 'pinned'), { count: 2 });
    const { log: impostor } = await newLog(join(dir, 'impostor'), { count: 2 }); // same name, its own key
    const verifier = verifierFor(log);
    const foreign = await evidenceOf(impostor, 0);
    expect(await verifier.checkCertificate(certificate(0), foreign)).toMatchObject({ accepted: false, reason: 'log-sth-invalid' });
    const good = await evidenceOf(log, 0);
    const altered = structuredClone(good);
    altered.sth.payload.size = 3;
    expect(await verifier.checkCertificate(certificate(0), altered)).toMatchObject({ accepted: false, reason: 'log-sth-invalid' });
    const renamed = { ...good, sth: signTreeHead({ ...good.sth.payload, log: 'other-log' }, signingKey) };
    expect(await verifier.checkCertificate(certificate(0), renamed)).toMatchObject({ accepted: false, reason: 'log-sth-invalid' });
  });

  it('refuses broken inclusion proofs, and never throws on garbage', async () => {
    const { log } = await newLog(join(dir, 'proofs'), { count: 5 });
    const verifier = verifierFor(log);
    const good = await evidenceOf(log, 2);
    const flipped = {
      ...good,
      proof: good.proof.map((h, i) => (i === 1 ? `${h.slice(0, 10)}${h[10] === '0' ? '1' : '0'}${h.slice(11)}` : h)),
    };
    const cases: unknown[] = [
      flipped,
      { ...good, index: 3 },
      { ...good, proof: good.proof.slice(1) },
      { ...good, proof: [...good.proof, good.proof[0]] },
      { ...good, proof: ['zz'] },
      { ...good, proof: 'abc' },
      { ...good, index: '2' },
    ];
    for (const ev of cases) {
      expect(await verifier.checkCertificate(certificate(2), ev as InclusionEvidence)).toMatchObject({
        accepted: false,
        reason: 'log-inclusion-invalid',
      });
    }
    for (const junk of [{}, { sth: null }, { sth: 'x', proof: [], index: 0 }] as unknown[]) {
      expect(await verifier.checkCertificate(certificate(2), junk as InclusionEvidence)).toMatchObject({
        accepted: false,
        reason: 'log-sth-invalid',
      });
    }
    expect(await verifier.checkCertificate(certificate(2), 7 as unknown as InclusionEvidence)).toMatchObject({ reason: 'log-missing' });
    expect(await verifier.checkCertificate(certificate(2), good)).toMatchObject({ accepted: true });
  });

  it('refuses the other side of a forked log', async () => {
    // Two logs under one key and name share three leaves, then diverge.
    const { log: a, signingKey } = await newLog(join(dir, 'fork-a'), { count: 3 });
    await cp(join(dir, 'fork-a'), join(dir, 'fork-b'), { recursive: true });
    const b = await TransparencyLog.open(join(dir, 'fork-b'), { signingKey });
    await a.append(certificate(10));
    await b.append(certificate(20));
    await b.append(certificate(21));

    // A node that saw side A…
    const node = verifierFor(a);
    expect(await node.checkCertificate(certificate(10), await evidenceOf(a, 10))).toMatchObject({ accepted: true, treeHead: { size: 4 } });
    // …refuses B's head of the same size (another root), and B's larger head: B cannot prove it extends A.
    const sameSize = await b.evidence(certificateLeafHash(certificate(20)));
    const bAt4 = (await b.treeHeads()).find((h) => h.payload.size === 4)!;
    const proofAt4 = await b.inclusionProof(certificateLeafHash(certificate(20)), 4);
    expect(await node.checkCertificate(certificate(20), { ...sameSize!, ...proofAt4!, sth: bAt4 })).toMatchObject({
      accepted: false,
      reason: 'log-inconsistent',
    });
    const fromB = new LogVerifier({
      log: a.publicKey,
      store: memorySthStore(await a.latestTreeHead()),
      consistency: (x, y) => b.consistencyProof(x, y),
    });
    expect(await fromB.checkCertificate(certificate(21), await evidenceOf(b, 21))).toMatchObject({
      accepted: false,
      reason: 'log-inconsistent',
    });
    // A node that saw only the shared prefix cannot tell, and follows B: forks are caught by whoever saw the other side.
    const prefixNode = verifierFor(b, memorySthStore((await b.treeHeads())[3]));
    expect(await prefixNode.checkCertificate(certificate(21), await evidenceOf(b, 21))).toMatchObject({ accepted: true });
  });

  it('refuses a log whose history was rewritten after this node saw it', async () => {
    const { log, signingKey } = await newLog(join(dir, 'rewrite'), { count: 5 });
    const store = memorySthStore();
    const node = verifierFor(log, store);
    expect(await node.checkCertificate(certificate(4), await evidenceOf(log, 4))).toMatchObject({ accepted: true, treeHead: { size: 5 } });

    // The operator changes leaf 2 in place (swapping in another validly signed certificate) and,
    // to get the log to sign again, drops the heads that covered the old history.
    const leaves = join(dir, 'rewrite', LOG_FILES.leaves);
    const lines = (await readFile(leaves, 'utf8')).trimEnd().split('\n');
    lines[2] = canonicalJson({ kind: 'certificate', document: certificate(77) });
    await writeFile(leaves, `${lines.join('\n')}\n`);
    const heads = join(dir, 'rewrite', LOG_FILES.treeHeads);
    await writeFile(heads, `${(await readFile(heads, 'utf8')).split('\n')[0]}\n`);
    const rewritten = await TransparencyLog.open(join(dir, 'rewrite'), { signingKey });
    await rewritten.append(certificate(5));

    const ev = await evidenceOf(rewritten, 5);
    expect(ev.sth.payload.size).toBe(6);
    expect(await node.checkCertificate(certificate(5), ev)).toMatchObject({ accepted: false, reason: 'log-inconsistent' });
    expect(await node.checkCertificate(certificate(77), await evidenceOf(rewritten, 77))).toMatchObject({ reason: 'log-inconsistent' });
    expect((await store.load())?.payload.size).toBe(5);
  });

  it('refuses when the consistency proof cannot be had, or its own saved head is bad', async () => {
    const { log } = await newLog(join(dir, 'unavailable'), { count: 2 });
    const seen = await log.latestTreeHead();
    await log.append(certificate(2));
    const offline = verifierFor(log, memorySthStore(seen), async () => {
      throw new Error('connection refused');
    });
    expect(await offline.checkCertificate(certificate(2), await evidenceOf(log, 2))).toMatchObject({
      accepted: false,
      reason: 'log-unavailable',
    });
    const lying = verifierFor(log, memorySthStore(seen), async () => ['not hex']);
    expect(await lying.checkCertificate(certificate(2), await evidenceOf(log, 2))).toMatchObject({ reason: 'log-inconsistent' });

    const tampered = structuredClone(seen) as SignedTreeHead;
    tampered.payload.size = 1;
    const corrupt = verifierFor(log, memorySthStore(tampered));
    expect(await corrupt.checkCertificate(certificate(2), await evidenceOf(log, 2))).toMatchObject({ reason: 'log-state-invalid' });
    const unreadable = verifierFor(log, {
      load: async () => {
        throw new Error('EIO');
      },
      save: async () => {},
    });
    expect(await unreadable.checkCertificate(certificate(2), await evidenceOf(log, 2))).toMatchObject({ reason: 'log-state-invalid' });
  });

  it('moves its view forward on observe(), only along a consistent history', async () => {
    const { log } = await newLog(join(dir, 'observe'), { count: 2 });
    const node = verifierFor(log);
    expect(await node.observe(await log.latestTreeHead())).toMatchObject({ accepted: true, treeHead: { size: 2 } });
    await log.append(certificate(2));
    expect(await node.observe(await log.latestTreeHead())).toMatchObject({ accepted: true, treeHead: { size: 3 } });
    expect(await node.observe({ payload: {} })).toMatchObject({ accepted: false, reason: 'log-sth-invalid' });
  });

  it('keeps the last head in a file under the data dir, one file per log key', async () => {
    const { log } = await newLog(join(dir, 'file-store'), { count: 2 });
    const data = join(dir, 'node-data');
    const store = fileSthStore(data, log.publicKey);
    expect(await store.load()).toBeUndefined();
    const node = verifierFor(log, store);
    expect(await node.checkCertificate(certificate(0), await evidenceOf(log, 0))).toMatchObject({ accepted: true });
    expect(sthStorePath(data, log.publicKey)).toMatch(/transparency[/\\]secp256r1-[0-9a-f]{32}\.sth\.json$/);
    expect(JSON.parse(await readFile(sthStorePath(data, log.publicKey), 'utf8'))).toEqual(await log.latestTreeHead());
    // A restarted node (a new verifier on the same store) still remembers.
    expect((await fileSthStore(data, log.publicKey).load())?.payload.size).toBe(2);
    await writeFile(sthStorePath(data, log.publicKey), '{ not json');
    expect(
      await verifierFor(log, fileSthStore(data, log.publicKey)).checkCertificate(certificate(0), await evidenceOf(log, 0)),
    ).toMatchObject({
      reason: 'log-state-invalid',
    });
  });
});

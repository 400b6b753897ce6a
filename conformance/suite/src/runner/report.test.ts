import { describe, expect, it } from 'vitest';
import { buildReport, reportMarkdown } from './report.js';
import type { CaseOutcome } from './reporter.js';
import { ALL_CASES } from '../cases/index.js';
import { SUITE_VERSION } from '../case.js';
import { PINNED_CASES } from '../catalog.js';
import { validateSchema } from '@bsn/contract';

const target = {
  name: 'anvil',
  kind: 'process' as const,
  node: 'anvil/v1.7.1',
  network: { framework: 'ethereum', name: 'anvil' },
  stop: async () => {},
};
const plugin = {
  name: '@x/adapter',
  version: '1.0.0',
  framework: 'ethereum',
  digest: 'sha256:' + '0'.repeat(64),
  capabilities: ['describe'],
};
const suiteDigest = 'sha256:' + '1'.repeat(64);
const ids = ALL_CASES.map((c) => c.id);
const mustId = ALL_CASES.find((c) => c.level === 'MUST')!.id;
const shouldId = ALL_CASES.find((c) => c.level === 'SHOULD')!.id;

function outcomes(overrides: Record<string, Partial<CaseOutcome>> = {}): Map<string, CaseOutcome> {
  return new Map(ids.map((id) => [id, { id, outcome: 'passed', durationMs: 1, ...overrides[id] } as CaseOutcome]));
}

describe('conformance report', () => {
  it('passes when every MUST case passed, even with a SHOULD failure and skips', () => {
    const report = buildReport({
      plugin,
      suiteDigest,
      partial: false,
      target,
      startedAt: new Date(),
      selected: ids,
      setupErrors: [],
      outcomes: outcomes({ [shouldId]: { outcome: 'failed', failure: { message: 'nope' } } }),
    });
    expect(report.verdict).toBe('pass');
    expect(report.summary.failed).toBe(1);
    expect(report.summary.mustFailed).toBe(0);
  });

  it('fails on one MUST failure and names it in the Markdown', () => {
    const report = buildReport({
      plugin,
      suiteDigest,
      partial: false,
      target,
      startedAt: new Date(),
      selected: ids,
      setupErrors: [],
      outcomes: outcomes({ [mustId]: { outcome: 'failed', failure: { message: 'receipt before commit' } } }),
    });
    expect(report.verdict).toBe('fail');
    expect(report.summary.mustFailed).toBe(1);
    const md = reportMarkdown(report);
    expect(md).toContain('**Verdict: FAIL**');
    expect(md).toContain(`### ${mustId}`);
    expect(md).toContain('receipt before commit');
  });

  it('counts a case that never ran as failed, with the setup error', () => {
    const partial = outcomes();
    partial.delete(mustId);
    const report = buildReport({
      plugin,
      suiteDigest,
      partial: false,
      target,
      startedAt: new Date(),
      selected: ids,
      setupErrors: ['adapter did not connect'],
      outcomes: partial,
    });
    const c = report.cases.find((x) => x.id === mustId)!;
    expect(c.outcome).toBe('failed');
    expect(c.failure?.message).toBe('adapter did not connect');
    expect(report.verdict).toBe('fail');
  });

  it('marks emulator targets so certificates from them are provisional', () => {
    const report = buildReport({
      plugin,
      suiteDigest,
      partial: false,
      target: { ...target, kind: 'emulator' },
      startedAt: new Date(),
      selected: ids,
      setupErrors: [],
      outcomes: outcomes(),
    });
    expect(report.target.emulator).toBe(true);
    expect(reportMarkdown(report)).toContain('emulator');
  });

  it('writes reports that validate against schemas/conformance-report.schema.json', () => {
    const report = buildReport({
      plugin,
      suiteDigest,
      partial: false,
      target,
      startedAt: new Date(),
      selected: ids,
      setupErrors: [],
      outcomes: outcomes({
        [mustId]: { outcome: 'failed', failure: { message: 'x', detail: 'stack' } },
        [shouldId]: { outcome: 'skipped', skipReason: 'not claimed' },
      }),
    });
    expect(validateSchema('conformance-report', report)).toEqual({ ok: true });
    const broken = { ...report, verdict: 'maybe' };
    expect(validateSchema('conformance-report', broken).ok).toBe(false);
  });

  it('an empty selection can never pass', () => {
    const report = buildReport({
      plugin,
      suiteDigest,
      partial: false,
      target,
      startedAt: new Date(),
      selected: [],
      setupErrors: [],
      outcomes: new Map(),
    });
    expect(report.verdict).toBe('fail');
  });

  it('a run in which every case was skipped is not a pass', () => {
    const skipped = new Map(ids.map((id) => [id, { id, outcome: 'skipped', durationMs: 0, skipReason: 'not claimed' } as CaseOutcome]));
    const report = buildReport({
      plugin,
      suiteDigest,
      partial: false,
      target,
      startedAt: new Date(),
      selected: ids,
      setupErrors: [],
      outcomes: skipped,
    });
    expect([report.summary.passed, report.summary.mustFailed, report.verdict]).toEqual([0, 0, 'fail']);
  });
});

describe('case catalogue', () => {
  it('has unique, stable-looking ids, and covers every part of the contract', () => {
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Z]{2,4}-\d{3}$/);
    const prefixes = new Set(ids.map((id) => id.split('-')[0]));
    for (const p of ['DSC', 'KEY', 'GW', 'EV', 'LC', 'KV', 'BAD', 'IC']) expect(prefixes).toContain(p);
  });

  it('is the case list pinned for this suite version: a case added, removed or relabelled needs a new version', () => {
    expect(ALL_CASES.map((c) => `${c.id} ${c.level} ${c.capability}`)).toEqual(PINNED_CASES[SUITE_VERSION]);
  });
});

import type { Reporter, TestCase } from 'vitest/node';
import { ALL_CASES } from '../cases/index.js';

export interface CaseOutcome {
  id: string;
  outcome: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  failure?: { message: string; detail?: string };
  skipReason?: string;
}

const byId = new Map(ALL_CASES.map((c) => [c.id, c]));
const SYMBOL = { passed: '✓', failed: '✗', skipped: '-' } as const;

/** Collects one outcome per case and prints a progress line as each finishes. */
export class ConformanceReporter implements Reporter {
  readonly outcomes = new Map<string, CaseOutcome>();
  readonly setupErrors: string[] = [];

  constructor(
    private readonly total: number,
    private readonly print: (line: string) => void,
  ) {}

  onTestCaseResult(testCase: TestCase): void {
    const id = testCase.meta().caseId ?? testCase.name.split(' ')[0]!;
    const result = testCase.result();
    if (result.state === 'pending') return;
    const durationMs = Math.round(testCase.diagnostic()?.duration ?? 0);
    const outcome: CaseOutcome = { id, outcome: result.state, durationMs };
    if (result.state === 'failed') {
      const [first] = result.errors;
      outcome.failure = { message: first?.message ?? 'failed', ...(first?.stack && { detail: first.stack }) };
    }
    if (result.state === 'skipped') outcome.skipReason = result.note ?? 'skipped';
    this.outcomes.set(id, outcome);
    const c = byId.get(id);
    const n = String(this.outcomes.size).padStart(String(this.total).length);
    const why = outcome.failure
      ? `\n      ${outcome.failure.message.split('\n')[0]}`
      : outcome.skipReason
        ? ` (${outcome.skipReason})`
        : '';
    this.print(`[${n}/${this.total}] ${SYMBOL[result.state]} ${id} ${c?.level ?? ''} ${c?.title ?? testCase.name} ${durationMs} ms${why}`);
  }

  onTestModuleEnd(module: { errors(): ReadonlyArray<{ message: string }> }): void {
    for (const e of module.errors()) this.setupErrors.push(e.message);
  }
}

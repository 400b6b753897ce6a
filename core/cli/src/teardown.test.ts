import { describe, expect, test, vi } from 'vitest';
import { STOP_SIGNALS, Teardown, catchStopSignals, signalExitCode } from './teardown.js';

describe('Teardown', () => {
  test('runs its steps last first, once, and a failing step does not stop the others', async () => {
    const order: string[] = [];
    const t = new Teardown();
    t.add(async () => order.push('devnet'));
    t.add(async () => {
      order.push('plugin');
      throw new Error('already gone');
    });
    t.add(async () => order.push('node'));
    expect(t.ran).toBe(false);
    await t.run();
    await t.run();
    expect(order).toEqual(['node', 'plugin', 'devnet']);
    expect(t.ran).toBe(true);
  });

  test('a step added after the run (a devnet up after Ctrl-C) runs at once', async () => {
    const t = new Teardown();
    await t.run();
    const late = vi.fn(async () => {});
    t.add(late);
    expect(late).toHaveBeenCalledTimes(1);
  });
});

describe('catchStopSignals', () => {
  test('resolves with the first signal, hands later ones to onRepeat, and off() removes its handlers', async () => {
    const before = STOP_SIGNALS.map((s) => process.listenerCount(s));
    const repeats: string[] = [];
    const stop = catchStopSignals((s) => repeats.push(s));
    try {
      expect(STOP_SIGNALS.map((s) => process.listenerCount(s))).toEqual(before.map((n) => n + 1));
      process.emit('SIGTERM', 'SIGTERM');
      process.emit('SIGINT', 'SIGINT');
      process.emit('SIGHUP', 'SIGHUP');
      await expect(stop.caught).resolves.toBe('SIGTERM');
      expect(repeats).toEqual(['SIGINT', 'SIGHUP']);
    } finally {
      stop.off();
    }
    expect(STOP_SIGNALS.map((s) => process.listenerCount(s))).toEqual(before);
  });
});

test('signalExitCode is 128 + the signal number, as a shell reports a death by it', () => {
  expect(signalExitCode('SIGINT')).toBe(130);
  expect(signalExitCode('SIGTERM')).toBe(143);
  expect(signalExitCode('SIGHUP')).toBe(129);
});

/**
 * Stopping what a command started, when it ends or is interrupted. Chain processes run in process
 * groups of their own (a terminal's Ctrl-C does not reach them) and are otherwise killed only by
 * the devnets' exit hook, which a signal's default death skips: a command that starts them catches
 * SIGINT/SIGTERM/SIGHUP from its first step and stops them itself, or exits through that hook.
 */
import { constants } from 'node:os';

/**
 * Stops what was started, last first, once. Something started after the teardown ran (a devnet
 * still booting when Ctrl-C came) is stopped as soon as it is added, so nothing outlives it.
 */
export class Teardown {
  private readonly steps: Array<() => Promise<unknown>> = [];
  private done = false;

  add(step: () => Promise<unknown>): void {
    if (this.done) void step().catch(() => {});
    else this.steps.push(step);
  }

  get ran(): boolean {
    return this.done;
  }

  async run(): Promise<void> {
    this.done = true;
    for (const step of this.steps.splice(0).reverse()) await step().catch(() => {});
  }
}

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The shell's code for a death by `signal`: 128 + its number (130 for SIGINT, 143 SIGTERM, 129 SIGHUP). */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

/**
 * Catches the first SIGINT/SIGTERM/SIGHUP (`caught` resolves with its name) until `off()`.
 * `onRepeat` runs on each later one, say to exit at once through the exit hooks when someone
 * presses Ctrl-C again while the stop is under way; without it later ones are ignored.
 */
export function catchStopSignals(onRepeat?: (signal: StopSignal) => void): { caught: Promise<StopSignal>; off(): void } {
  let first: StopSignal | undefined;
  let resolveCaught: (signal: StopSignal) => void = () => {};
  const caught = new Promise<StopSignal>((resolve) => (resolveCaught = resolve));
  const handler = (signal: StopSignal) => {
    if (first === undefined) {
      first = signal;
      resolveCaught(signal);
    } else onRepeat?.(signal);
  };
  for (const s of STOP_SIGNALS) process.on(s, handler);
  return { caught, off: () => STOP_SIGNALS.forEach((s) => process.off(s, handler)) };
}

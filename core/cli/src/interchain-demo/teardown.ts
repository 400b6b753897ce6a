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

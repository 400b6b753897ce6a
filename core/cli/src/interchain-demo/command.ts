/**
 * `bsn interchain demo`: a Fabric devnet and an anvil chain, three city nodes (attesters, threshold
 * 2), an app on each chain granting the other, calls both ways — each step printed — and the
 * verdict read from the chains: `interchain demo: N calls, N delivered once, 0 lost, 0 duplicated`.
 * The two plugins are certified first as `npm start` certifies them (.bsn/certificates, by the
 * local certifier; the conformance suite runs only when a certificate is missing or stale).
 * Everything it starts is stopped at the end, on an error, and on Ctrl-C / SIGTERM.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import { prepareQuickstart, type ConformanceKitCli } from '@bsn/city-node';
import { CliExit, EXIT, type CliIo } from '../io.js';
import { runDemoCalls, summaryLine } from './calls.js';
import { startDemoFleet } from './fleet.js';
import { Teardown, catchStopSignals } from '../teardown.js';

const KIT = '@bsn/conformance';
const ADAPTERS = ['ethereum', 'fabric'] as const;
/** The repository root this file is built in (dist/interchain-demo/ or src/interchain-demo/ of core/cli). */
const OWN_ROOT = fileURLToPath(new URL('../../../../', import.meta.url)).replace(/\/$/, '');

function positive(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 1000) throw new InvalidArgumentError('must be a whole number from 1 to 1000');
  return n;
}

async function importKit(): Promise<(ConformanceKitCli & { SUITE_VERSION?: string }) | undefined> {
  try {
    return (await import(KIT)) as ConformanceKitCli & { SUITE_VERSION?: string };
  } catch {
    return undefined;
  }
}

export function registerInterchainDemo(ic: Command, io: CliIo): void {
  ic.command('demo')
    .description(
      'start a Fabric devnet, an anvil chain and three city nodes, send calls both ways between an app on each, and count what the chains executed',
    )
    .option('--calls <n>', 'how many calls (alternating Fabric → Ethereum and Ethereum → Fabric)', positive, 4)
    .option('--wait <seconds>', 'how long a call may take to be acknowledged before it counts as lost', positive, 120)
    .addHelpText(
      'after',
      '\nExit code 0 when every call was executed once on its target and acknowledged on its source, 3 otherwise.\nIt uses adapters/ethereum and adapters/fabric and keeps certificates in .bsn/ of the current folder when it has them, else of the repository bsn is built in.',
    )
    .action(async (opts: { calls: number; wait: number }) => {
      const started = Date.now();
      const say = (line: string) => io.stdout(`${line}\n`);
      const progress = (line: string) => io.stderr(`[demo] ${line}\n`);
      // The current folder when it holds the adapters (a scratch root, say), else the repository this bsn is built in.
      const holds = (dir: string) => ADAPTERS.every((a) => existsSync(join(dir, 'adapters', a, 'bsn-plugin.json')));
      const root = [io.cwd, OWN_ROOT].find(holds);
      if (!root) throw new CliExit(EXIT.usage, `adapters/ethereum and adapters/fabric are in neither ${io.cwd} nor ${OWN_ROOT}`);
      if (root !== io.cwd) progress(`using the adapters and .bsn/ of ${root}`);
      const kit = await importKit();
      if (!kit) progress('the conformance kit is not installed: plugins without a certificate will be refused');
      const stop = catchStopSignals();
      const preparing = prepareQuickstart({ root, env: io.env, progress, only: [...ADAPTERS], ...(kit && { kit }) });
      const prepared = await Promise.race([preparing, stop.caught.then((name) => ({ interrupted: name }))]);
      if ('interrupted' in prepared) {
        // A conformance run cannot be stopped half-way from here; exiting runs the devnets' exit
        // hook, which kills the chain processes it started (they run in process groups of their own,
        // so a terminal's Ctrl-C does not reach them).
        progress(`${prepared.interrupted} while certifying: stopping`);
        process.exit(EXIT.runtime);
      }
      const quick = prepared;
      const plugin = (name: string) => {
        const p = quick.config.plugins.find((x) => x.source.endsWith(join('adapters', name)));
        if (!p?.certificate) throw new CliExit(EXIT.runtime, `adapters/${name} has no certificate`);
        return { folder: p.source, certificate: p.certificate };
      };
      const trust = {
        certifiers: quick.config.trust.certifiers,
        ...(kit?.SUITE_VERSION && { suites: { current: kit.SUITE_VERSION } }),
      };

      const dataDir = await mkdtemp(join(tmpdir(), 'bsn-interchain-demo-'));
      progress(`the nodes keep their keys and registries in ${dataDir} (removed at the end)`);
      const teardown = new Teardown();
      teardown.add(() => rm(dataDir, { recursive: true, force: true }));
      const work = (async () => {
        const fleet = await startDemoFleet({ fabric: plugin('fabric'), ethereum: plugin('ethereum'), trust, dataDir, progress, teardown });
        return runDemoCalls(fleet, { calls: opts.calls, waitMs: opts.wait * 1000, print: say });
      })();
      try {
        const outcome = await Promise.race([work, stop.caught.then((name) => ({ interrupted: name }))]);
        if ('interrupted' in outcome) {
          progress(`${outcome.interrupted}: stopping everything the demo started…`);
          await teardown.run();
          // A part still starting stops as soon as it is up (Teardown.add after the run).
          await Promise.race([work.catch(() => {}), new Promise((r) => setTimeout(r, 60_000).unref())]);
          // …and may have written in the data folder after it was removed.
          await rm(dataDir, { recursive: true, force: true });
          throw new CliExit(EXIT.runtime, `interrupted by ${outcome.interrupted}`);
        }
        say(`(${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
        say(summaryLine(outcome));
        if (outcome.lost > 0 || outcome.duplicated > 0 || outcome.deliveredOnce !== outcome.calls) process.exitCode = EXIT.refused;
      } finally {
        const t = Date.now();
        await teardown.run();
        stop.off();
        progress(`stopped the nodes and devnets (${Date.now() - t} ms)`);
      }
    });
}

/**
 * `bsn node start` runs a city node; `bsn node sign` prints the signed headers of one
 * request for curl. Without --config, `start` is the local quickstart (`npm start`): keys,
 * a local certifier and certificates under .bsn/, local devnets, a demo portal and user.
 * Devnets come from each plugin (its manifest's `devnets`); the conformance suite that
 * certifies the bundled adapters is found at run time by package name (core never depends on it).
 */
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { KeyAlgorithm } from '@bsn/contract';
import { fromHex, utf8 } from '@bsn/contract';
import { RequestSigner, BsnClient } from '@bsn/client';
import { splitUrl } from '@bsn/protocol';
import {
  CityNode,
  consoleLogger,
  loadNodeConfig,
  type NodeConfig,
  prepareQuickstart,
  readDemoKey,
  startPluginDevnet,
  type ConformanceKitCli,
  type DevnetStarter,
  type QuickstartResult,
} from '@bsn/city-node';
import { CliExit, EXIT, processIo, untilStopped, type CliIo } from './io.js';
import { Teardown, catchStopSignals, signalExitCode, type StopSignal } from './teardown.js';

const KIT = '@bsn/conformance';

async function importKit<T>(name: string): Promise<T | undefined> {
  try {
    return (await import(name)) as T;
  } catch {
    return undefined;
  }
}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a port number (0 picks a free one)');
  return n;
}

async function passphraseFor(config: NodeConfig, io: CliIo): Promise<string> {
  if (config.keys.passphraseFile) {
    try {
      return (await readFile(config.keys.passphraseFile, 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      throw new CliExit(EXIT.runtime, `cannot read keys.passphraseFile ${config.keys.passphraseFile}: ${(err as Error).message}`);
    }
  }
  const fromEnv = io.env[config.keys.passphraseEnv];
  if (fromEnv) return fromEnv;
  throw new CliExit(EXIT.usage, `no node passphrase: set ${config.keys.passphraseEnv} or keys.passphraseFile in the config`);
}

/** The curl lines printed after a quickstart start. */
export function firstRequests(restUrl: string, app: string | undefined): string {
  const sign = (method: string, path: string, data?: string) =>
    `$(npx bsn node sign ${method} ${path}${app ? ` --app ${app}` : ''}${data ? ` --data '${data}'` : ''})`;
  if (!app) return `  curl -s ${restUrl}/v1/apps ${sign('GET', '/v1/apps')}`;
  const kv = `/v1/apps/${app}/kv/greeting`;
  return [
    `  # write a value (returns once it is final on the chain), then read it back:`,
    `  curl -s -X PUT --data-binary 'hello' ${restUrl}${kv} ${sign('PUT', kv, 'hello')}`,
    `  curl -s ${restUrl}${kv} ${sign('GET', kv)}`,
  ].join('\n');
}

type StartFlags = { config?: string; dev?: boolean; restPort?: number; grpcPort?: number; demo: boolean };

const delay = (ms: number) => new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref());

/** Ends the command with 128 + the signal; exits by itself should a handle keep the process alive. */
function interruptedExit(signal: StopSignal, when: string): CliExit {
  const code = signalExitCode(signal);
  setTimeout(() => process.exit(code), 5000).unref();
  return new CliExit(code, `interrupted by ${signal} ${when}`);
}

/** `bsn node start` until it is stopped; `interrupted` resolves on the first stop signal. */
async function startNode(opts: StartFlags, io: CliIo, progress: (line: string) => void, interrupted: Promise<StopSignal>): Promise<void> {
  let config: NodeConfig;
  let passphrase: string;
  let quick: QuickstartResult | undefined;
  if (opts.config) {
    config = await loadNodeConfig(opts.config, { cwd: io.cwd, env: io.env });
    passphrase = await passphraseFor(config, io);
  } else {
    progress('no --config: starting the local quickstart node (keys and config under .bsn/)');
    const kit = await importKit<ConformanceKitCli>(KIT);
    const preparing = prepareQuickstart({
      root: io.cwd,
      env: io.env,
      progress,
      ...(kit && { kit }),
      ...(opts.restPort !== undefined && { restPort: opts.restPort }),
      ...(opts.grpcPort !== undefined && { grpcPort: opts.grpcPort }),
    });
    const prepared = await Promise.race([preparing, interrupted.then((signal) => ({ signal }))]);
    if ('signal' in prepared) {
      // A conformance run cannot be stopped half-way from here; exiting runs the devnets' exit
      // hook, which kills the chain processes it started.
      progress(`${prepared.signal} while certifying: stopping`);
      process.exit(signalExitCode(prepared.signal));
    }
    quick = prepared;
    config = quick.config;
    passphrase = quick.passphrase;
    progress(`config written to ${quick.configFile}`);
  }
  if (opts.restPort !== undefined) config.listen.restPort = opts.restPort;
  if (opts.grpcPort !== undefined) config.listen.grpcPort = opts.grpcPort;

  const logger = consoleLogger((line) => io.stderr(`${line}\n`), Boolean(io.env['BSN_DEBUG']));
  // Devnets started so far, stopped if a signal comes before the node is up (a devnet still
  // starting then is stopped once it is up: Teardown.add after the run).
  const started = new Teardown();
  const devnets: DevnetStarter = async (folder, name, say) => {
    const chain = await startPluginDevnet(folder, name, say);
    started.add(() => chain.stop());
    return chain;
  };
  let city: CityNode;
  try {
    // With the kit installed, its suite version is the one certificates must be of (trust.suites overrides).
    const suiteVersion = (await importKit<{ SUITE_VERSION?: string }>(KIT))?.SUITE_VERSION;
    const starting = CityNode.start({
      config,
      passphrase,
      dev: opts.dev ?? false,
      logger,
      progress,
      devnets,
      ...(suiteVersion && { suiteVersion }),
    });
    const up = await Promise.race([starting, interrupted.then((signal) => ({ signal }))]);
    if ('signal' in up) {
      progress(`${up.signal} while the node starts: stopping what it started…`);
      await started.run();
      // The start then fails on a stopped devnet, or ends up: stop what it holds either way.
      const late = await Promise.race([starting.catch(() => undefined), delay(60_000)]);
      await late?.stop().catch(() => {});
      throw interruptedExit(up.signal, 'while the node was starting');
    }
    city = up;
  } catch (err) {
    await started.run();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliExit(
        EXIT.runtime,
        `${(err as Error).message}: another process uses the port; pick others with --rest-port and --grpc-port (0: any free port)`,
      );
    }
    throw err;
  }
  const refused = city.plugins.filter((p) => !p.loaded);

  let demoApp: string | undefined;
  if (quick && opts.demo) {
    const client = new BsnClient({
      baseUrl: city.restUrl,
      user: quick.demo.user,
      algorithm: quick.demo.algorithm,
      privateKey: fromHex(quick.demo.privateKey),
    });
    for (const n of city.networks.all()) {
      const code = `demo-${n.framework}`;
      if (!(await city.registry.getApp(code))) {
        progress(`creating app ${code} on ${n.name}…`);
        try {
          await client.createApp({ code, network: n.name, name: `Demo app on ${n.framework}` });
        } catch (err) {
          progress(`could not create ${code}: ${(err as Error).message}`);
          continue;
        }
      }
      demoApp ??= code;
    }
  }

  const lines = [
    '',
    `City node ${config.node.name} is up.`,
    `  REST      ${city.restUrl}        OpenAPI: ${city.restUrl}/openapi.json`,
    `  gRPC      ${city.grpcAddress || 'off'}           core/protocol/proto/bsn_gateway.proto`,
    `  health    ${city.restUrl}/healthz  ${city.restUrl}/readyz   metrics: ${city.restUrl}/metrics`,
    `  pages     ${city.restUrl}/ui/        operator and portal pages (sign in with a key file${quick ? `: ${relative(io.cwd, quick.demoKeyFile)}, or ${relative(io.cwd, quick.operatorKeyFile)} for the operator view` : ''})`,
    `  networks  ${
      city.networks
        .all()
        .map((n) => {
          const provisional = city.plugins.find((p) => p.plugin === n.plugin)?.state === 'provisional';
          return `${n.name} (${n.framework}, ${n.certified ? (provisional ? 'certified provisionally: emulator' : 'certified') : 'UNCERTIFIED'})`;
        })
        .join(', ') || 'none'
    }`,
    ...(refused.length ? [`  refused   ${refused.map((p) => `${p.plugin ?? p.source} (${p.reason})`).join(', ')}`] : []),
  ];
  if (quick) {
    lines.push('', `First requests, signed as user "${quick.demo.user}" (key ${quick.demoKeyFile}):`, firstRequests(city.restUrl, demoApp));
  }
  lines.push('', 'Stop with Ctrl-C.', '');
  io.stdout(lines.join('\n'));

  // A signal while the demo apps were created is caught already: the race ends at once.
  const why = await Promise.race([untilStopped(), interrupted]);
  progress(`${why}: stopping…`);
  // The node bounds its own stop; this bounds the process, whatever a plugin or a socket holds open.
  const hard = setTimeout(() => {
    progress(`still running ${city.config.shutdown.deadlineMs + 2000} ms after ${why}: exiting now`);
    process.exit(1);
  }, city.config.shutdown.deadlineMs + 2000);
  hard.unref();
  await city.stop();
  clearTimeout(hard);
}

export function registerNodeCommands(program: Command, io: CliIo = processIo()): void {
  const node = program.command('node').description('run a BSN city node');

  node
    .command('start')
    .description('start a city node: load certified plugins, connect their networks, serve REST and gRPC')
    .option('--config <file>', 'node config (YAML/JSON, schemas/node-config.schema.json); without it: the local quickstart under .bsn/')
    .option('--dev', 'development mode: load uncertified plugins (with a loud warning)')
    .option('--rest-port <port>', 'override listen.restPort', port)
    .option('--grpc-port <port>', 'override listen.grpcPort', port)
    .option('--no-demo', 'quickstart: do not create the demo apps')
    .addHelpText(
      'after',
      '\nStops on SIGINT/SIGTERM/SIGHUP, or when the process that started it exits: closes the gateways and adapters and stops the devnets it started.' +
        '\nExit code 0 when a running node stopped cleanly; interrupted before it was up (certifying, starting), 128 + the signal (130 for SIGINT, 143 SIGTERM, 129 SIGHUP). A second signal while stopping exits at once, killing the devnets.',
    )
    .action(async (opts: StartFlags) => {
      const progress = (line: string) => io.stderr(`[node] ${line}\n`);
      // Caught from the first step: a signal's default death would skip the devnets' exit hook and
      // leave their chain processes (in process groups of their own) running. Pressed again while
      // stopping, it exits at once, through that hook.
      const stop = catchStopSignals((again) => {
        progress(`${again} again: exiting now`);
        process.exit(signalExitCode(again));
      });
      try {
        await startNode(opts, io, progress, stop.caught);
      } finally {
        stop.off();
      }
    });
  node
    .command('sign')
    .description(
      'print the signed x-bsn-* headers of one request as curl -H options: curl … $(bsn node sign PUT /v1/apps/a/kv/k --app a --data v)',
    )
    .argument('<method>', 'HTTP method')
    .argument('<path>', 'request path with its query, as curl sends it')
    .option('--app <code>', 'the app the request is about (required for /v1/apps/<code>/…)')
    .option('--data <text>', 'the exact body curl sends (--data-binary)')
    .option('--data-file <file>', 'the body, from a file')
    .option('--key <file>', 'user key file { user, algorithm, privateKey } (default .bsn/demo-user.json)')
    .action(async (method: string, path: string, opts: { app?: string; data?: string; dataFile?: string; key?: string }) => {
      const keyFile = resolve(io.cwd, opts.key ?? '.bsn/demo-user.json');
      let key: { user: string; algorithm: KeyAlgorithm; privateKey: string };
      try {
        key = await readDemoKey(keyFile);
      } catch (err) {
        throw new CliExit(EXIT.runtime, `cannot read the user key ${keyFile}: ${(err as Error).message}`);
      }
      const body = opts.dataFile
        ? new Uint8Array(await readFile(resolve(io.cwd, opts.dataFile)))
        : opts.data !== undefined
          ? utf8(opts.data)
          : new Uint8Array(0);
      const url = path.startsWith('http') ? new URL(path) : undefined;
      const { path: p, query } = splitUrl(url ? `${url.pathname}${url.search}` : path);
      const app = opts.app ?? /^\/v1\/apps\/([^/?]+)/.exec(p)?.[1] ?? '';
      const headers = new RequestSigner(key.user, key.algorithm, fromHex(key.privateKey)).sign({ method, path: p, query, body, app });
      io.stdout(
        `${Object.entries(headers)
          .map(([k, v]) => `-H ${k}:${v}`)
          .join(' ')}\n`,
      );
    });
}

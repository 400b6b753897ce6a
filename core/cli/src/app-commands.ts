/**
 * `bsn app …`: apps that bring their own contract, through a city node's REST API, signed as a
 * user with a key file (default .bsn/demo-user.json): deploy a contract package as a new app,
 * upgrade it with the framework's own upgrade (state kept), and call or read it by the method
 * names its interface declares, arguments as the strings the gateway types by that interface.
 */
import type { Command } from 'commander';
import { NodeResponseError, type BsnClient } from '@bsn/client';
import { contractFromFile } from './contract-file.js';
import { CliExit, EXIT, type CliIo } from './io.js';
import { userClient, type UserClientOptions } from './user-client.js';

const print = (io: CliIo, value: unknown) => io.stdout(`${JSON.stringify(value, null, 2)}\n`);
const collect = (value: string, previous: string[]) => [...previous, value];

/** The node's refusal as one line naming its reason and field, exit 1 (the node, not the command line, refused). */
async function asUser<T>(io: CliIo, opts: UserClientOptions, work: (client: BsnClient) => Promise<T>): Promise<T> {
  const client = await userClient(io, opts);
  try {
    return await work(client);
  } catch (err) {
    if (err instanceof NodeResponseError) {
      const where = [err.reason, err.field].filter(Boolean).join(' at ');
      throw new CliExit(EXIT.runtime, `the node refused (${err.code}${where ? `, ${where}` : ''}): ${err.message}`);
    }
    throw err;
  } finally {
    client.close();
  }
}

export function registerAppCommands(program: Command, io: CliIo): void {
  const app = program.command('app').description('apps that bring their own contract: deploy, upgrade and call them through a city node');
  const common = (c: Command) =>
    c
      .option('--node <url>', "the city node's REST URL", 'http://127.0.0.1:8080')
      .option('--key <file>', 'user key file { user, algorithm, privateKey } (default .bsn/demo-user.json)');

  common(
    app
      .command('deploy')
      .description('create app <code> running the contract package in <package> (JSON: schemas/contract-package.schema.json)')
      .argument('<code>', 'the new app code')
      .argument('<package>', 'the contract package file')
      .option('--framework <name>', 'the framework (default: the node picks the only one it serves)')
      .option('--network <name>', 'the network, where the framework has several')
      .option('--placement <placement>', 'shared or dedicated', 'shared')
      .option('--init <method>', 'the initializer, run against the new app in the same transaction')
      .option('--arg <value>', 'an argument of --init, once per argument in order', collect, [] as string[]),
  ).action(
    async (
      code: string,
      file: string,
      opts: UserClientOptions & { framework?: string; network?: string; placement: string; init?: string; arg: string[] },
    ) => {
      if (opts.placement !== 'shared' && opts.placement !== 'dedicated')
        throw new CliExit(EXIT.usage, '--placement must be shared or dedicated');
      const contract = await contractFromFile(io, file, { ...(opts.init !== undefined && { method: opts.init }), args: opts.arg });
      const created = await asUser(io, opts, (client) =>
        client.createApp({
          code,
          placement: opts.placement as 'shared' | 'dedicated',
          contract,
          ...(opts.framework && { framework: opts.framework }),
          ...(opts.network && { network: opts.network }),
        }),
      );
      print(io, created);
    },
  );

  common(
    app
      .command('upgrade')
      .description(
        "move app <code> to the contract package in <package> with the framework's own upgrade, state kept (owner or portal admin)",
      )
      .argument('<code>', 'the app')
      .argument('<package>', 'the new contract package file')
      .option('--migrate <method>', "a migration run in the upgrade's transaction; if it fails, the old version keeps serving")
      .option('--arg <value>', 'an argument of --migrate, once per argument in order', collect, [] as string[]),
  ).action(async (code: string, file: string, opts: UserClientOptions & { migrate?: string; arg: string[] }) => {
    const contract = await contractFromFile(io, file, { ...(opts.migrate !== undefined && { method: opts.migrate }), args: opts.arg });
    print(io, await asUser(io, opts, (client) => client.upgradeApp(code, contract)));
  });

  common(
    app
      .command('call')
      .description("call <method> of app <code> with [args…] (typed by the app's interface: integers in decimal, addresses in hex, …)")
      .argument('<code>', 'the app')
      .argument('<method>', 'a method its interface declares')
      .argument('[args...]', 'its arguments, in order (put -- before them when one starts with -, a negative integer)')
      .option('--read', 'evaluate only (no transaction): print the result')
      .option('--request-id <id>', 'a write sent again with the same id returns the first receipt'),
  ).action(async (code: string, method: string, args: string[], opts: UserClientOptions & { read?: boolean; requestId?: string }) => {
    if (opts.read && opts.requestId) throw new CliExit(EXIT.usage, '--request-id names a write; --read writes nothing');
    if (opts.read) {
      const answer = await asUser(io, opts, (client) => client.evaluate(code, method, args));
      print(io, answer.resultText !== undefined ? { ...answer, result: parsed(answer.resultText) } : answer);
      return;
    }
    print(io, await asUser(io, opts, (client) => client.submit(code, method, args, opts.requestId)));
  });
}

/** A result the contract returned as JSON text (an EVM function's outputs) printed as JSON; other text as is. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * `bsn interchain …`: cross-chain calls through a city node's REST API, signed as a user with a
 * key file ({ user, algorithm, privateKey }, default .bsn/demo-user.json): grant one side, send a
 * preset call (kv.put/get/delete) to an app on another chain, follow it, list calls, watch the
 * packet events of an app.
 */
import type { Command } from 'commander';
import { encodePacketCall, toBase64, utf8, type PacketCall } from '@bsn/contract';
import { CliExit, EXIT, type CliIo } from './io.js';
import { registerInterchainDemo } from './interchain-demo/command.js';
import { userClient, type UserClientOptions } from './user-client.js';

const print = (io: CliIo, value: unknown) => io.stdout(`${JSON.stringify(value, null, 2)}\n`);

/** The packet call of `method` on `key` (and `value` for kv.put), or a usage error. */
export function packetCallOf(method: string, key: string, value?: string): PacketCall {
  if (method === 'kv.put') {
    if (value === undefined) throw new CliExit(EXIT.usage, 'kv.put needs a value');
    return { method, key, value: utf8(value) };
  }
  if (method === 'kv.get' || method === 'kv.delete') return { method, key };
  throw new CliExit(EXIT.usage, `method must be kv.put, kv.get or kv.delete (got ${method})`);
}

export function registerInterchainCommands(program: Command, io: CliIo): void {
  const ic = program.command('interchain').description('cross-chain calls between apps on different chains, through a city node');
  const common = (c: Command) =>
    c
      .option('--node <url>', "the city node's REST URL", 'http://127.0.0.1:8080')
      .option('--key <file>', 'user key file { user, algorithm, privateKey } (default .bsn/demo-user.json)');

  common(
    ic
      .command('grant')
      .description("grant this app's side of a cross-chain authorization (the peer app's owner grants the other side)")
      .argument('<app>', 'your app')
      .argument('<peer>', 'the other app: its code, or <portal>:<code>')
      .argument('<direction>', 'outgoing (your app calls the peer) or incoming (the peer calls your app)')
      .option('--methods <list>', 'comma-separated methods allowed (default: all packet-callable)'),
  ).action(async (app: string, peer: string, direction: string, opts: UserClientOptions & { methods?: string }) => {
    if (direction !== 'outgoing' && direction !== 'incoming') throw new CliExit(EXIT.usage, 'direction must be outgoing or incoming');
    const methods = opts.methods ? opts.methods.split(',').filter(Boolean) : [];
    print(io, await (await userClient(io, opts)).grant(app, peer, direction, methods));
  });

  common(
    ic
      .command('call')
      .description('send a call from <app> to <dst-app> on chain <dst-chain>, and wait for its ack (--no-wait: print it as sent)')
      .argument('<app>', 'your app (the source)')
      .argument('<dst-chain>', "the target chain's name")
      .argument('<dst-app>', 'the target app: its code, or <portal>:<code>')
      .argument('<method>', 'kv.put, kv.get or kv.delete')
      .argument('<key>', 'the key on the target app')
      .argument('[value]', 'the value (kv.put)')
      .option('--timeout <seconds>', 'after this the call is closed as timed out, never delivered', '600')
      .option('--no-wait', 'return once sent'),
  ).action(
    async (
      app: string,
      dstChain: string,
      dstApp: string,
      method: string,
      key: string,
      value: string | undefined,
      opts: UserClientOptions & { timeout: string; wait: boolean },
    ) => {
      const seconds = Number(opts.timeout);
      if (!Number.isInteger(seconds) || seconds < 1) throw new CliExit(EXIT.usage, '--timeout must be a whole number of seconds');
      const client = await userClient(io, opts);
      const payload = toBase64(encodePacketCall(packetCallOf(method, key, value)));
      let call = await client.sendCall(app, { dstChain, dstApp, method, payload, timeout: Date.now() + seconds * 1000 });
      io.stderr(`sent ${call.packetId} (seq ${call.packet.seq}, tx ${call.txs.send})\n`);
      while (opts.wait && !['acknowledged', 'closed'].includes(call.state) && Date.now() < call.packet.timeout + 60_000) {
        await new Promise((r) => setTimeout(r, 500));
        const next = await client.getCall(app, call.packetId);
        if (next.state !== call.state) io.stderr(`${next.state}\n`);
        call = next;
      }
      print(io, call);
    },
  );

  common(
    ic.command('status').description('one call: its state, evidence and transactions').argument('<app>').argument('<packet-id>'),
  ).action(async (app: string, id: string, opts: UserClientOptions) => print(io, await (await userClient(io, opts)).getCall(app, id)));

  common(ic.command('list').description("an app's calls sent through the node").argument('<app>')).action(
    async (app: string, opts: UserClientOptions) => print(io, await (await userClient(io, opts)).listCalls(app)),
  );

  common(
    ic
      .command('watch')
      .description("stream an app's packet events (calls received, acks, timeouts), one JSON line each")
      .argument('<app>')
      .option('--after <checkpoint>', 'resume after block:index')
      .option('--limit <n>', 'stop after n events'),
  ).action(async (app: string, opts: UserClientOptions & { after?: string; limit?: string }) => {
    const client = await userClient(io, opts);
    for await (const e of client.events(app, {
      interchain: true,
      ...(opts.after && { after: opts.after }),
      ...(opts.limit && { limit: Number(opts.limit) }),
    })) {
      io.stdout(`${JSON.stringify({ ...e, payload: Buffer.from(e.payload).toString('utf8') })}\n`);
    }
  });

  registerInterchainDemo(ic, io);
}

/**
 * The demo's calls: an app on Fabric and an app on Ethereum grant each other (both owners, both
 * directions), then `kv.put` calls go both ways through node 1's REST API. Each step is printed as
 * the node reports it (sent / delivered / acknowledged, with tx ids and timings); the verdict is
 * read from the chains themselves with the demo's own adapters — the target's key history (one
 * write per execution) and the source's packet state (the ack recorded) — never a node's records.
 */
import { encodePacketCall, toBase64, type AppRef, type Packet } from '@bsn/contract';
import type { InterchainCallJson } from '@bsn/client';
import type { DemoChain, DemoFleet } from './fleet.js';

export interface DemoSummary {
  calls: number;
  deliveredOnce: number;
  /** Not acknowledged on its source chain within the wait. */
  lost: number;
  /** Executed more than once on its target chain. */
  duplicated: number;
}

export interface DemoCallsOptions {
  calls: number;
  /** How long a call may take from sent to acknowledged before it counts as lost. */
  waitMs: number;
  print: (line: string) => void;
}

interface Side {
  app: string;
  chain: DemoChain;
}

interface Tracked {
  n: number;
  from: Side;
  to: Side;
  key: string;
  value: string;
  sentAt: number;
  call: InterchainCallJson;
}

export const DEMO_APPS = { fabric: 'ic-fabric', ethereum: 'ic-ethereum' } as const;

const ms = (t: number) => `${Date.now() - t} ms`;
const short = (tx: string | undefined) => (tx && tx.length > 20 ? `${tx.slice(0, 18)}…` : (tx ?? '?'));

/** Creates both apps and the four grant sides (each app outgoing to and incoming from the other). */
export async function createGrantedApps(fleet: DemoFleet, print: (line: string) => void): Promise<{ fabric: Side; ethereum: Side }> {
  const client = fleet.client(0);
  const sides = {} as { fabric: Side; ethereum: Side };
  for (const framework of ['fabric', 'ethereum'] as const) {
    const t = Date.now();
    await client.createApp({ code: DEMO_APPS[framework], network: fleet.chains[framework].name });
    sides[framework] = { app: DEMO_APPS[framework], chain: fleet.chains[framework] };
    print(`app ${DEMO_APPS[framework]} created on ${fleet.chains[framework].name} (${ms(t)})`);
  }
  for (const [a, b] of [
    ['fabric', 'ethereum'],
    ['ethereum', 'fabric'],
  ] as const) {
    const t = Date.now();
    await client.grant(sides[a].app, sides[b].app, 'outgoing');
    await client.grant(sides[b].app, sides[a].app, 'incoming');
    print(`grant ${sides[a].app} → ${sides[b].app}: both owners granted, written on both chains (${ms(t)})`);
  }
  return sides;
}

const appRef = (fleet: DemoFleet, app: string): AppRef => ({ appId: `${fleet.portal}:${app}` });

/** How many times the target chain executed the call: writes of its key in the target app's history. */
export async function executions(fleet: DemoFleet, to: Side, key: string): Promise<number> {
  return (await to.chain.reader.kv.history(appRef(fleet, to.app), key)).length;
}

export async function runDemoCalls(fleet: DemoFleet, o: DemoCallsOptions): Promise<DemoSummary> {
  const sides = await createGrantedApps(fleet, o.print);
  const client = fleet.client(0);
  const run = Date.now().toString(36);
  const tracked: Tracked[] = [];
  for (let n = 1; n <= o.calls; n++) {
    const [from, to] = n % 2 === 1 ? [sides.fabric, sides.ethereum] : [sides.ethereum, sides.fabric];
    const key = `demo-${run}-${n}`;
    const value = `call ${n} from ${from.chain.name}`;
    const sentAt = Date.now();
    const call = await client.sendCall(from.app, {
      dstChain: to.chain.name,
      dstApp: to.app,
      method: 'kv.put',
      payload: toBase64(encodePacketCall({ method: 'kv.put', key, value: new TextEncoder().encode(value) })),
      timeout: Date.now() + o.waitMs + 60_000,
    });
    tracked.push({ n, from, to, key, value, sentAt, call });
    o.print(
      `[call ${n}] ${from.app}@${from.chain.name} → ${to.app}@${to.chain.name} kv.put ${key}: sent, seq ${call.packet.seq}, tx ${short(call.txs.send)} (${ms(sentAt)})`,
    );
  }

  // Follow each call as node 1 reports it, printing each step once.
  const deadline = Date.now() + o.waitMs;
  const open = new Set(tracked);
  while (open.size > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    for (const t of [...open]) {
      const now = await client.getCall(t.from.app, t.call.packetId).catch(() => t.call);
      if (now.txs.deliver && !t.call.txs.deliver)
        o.print(`[call ${t.n}] delivered on ${t.to.chain.name}, tx ${short(now.txs.deliver)} (seen ${ms(t.sentAt)} after sending)`);
      if (now.state === 'acknowledged') {
        o.print(
          `[call ${t.n}] acknowledged on ${t.from.chain.name}, tx ${short(now.txs.acknowledge)}, ack ${now.ack?.status} (seen ${ms(t.sentAt)} after sending)`,
        );
        open.delete(t);
      } else if (now.state === 'closed' || now.state === 'timed-out') {
        o.print(`[call ${t.n}] ${now.state}: never delivered`);
        open.delete(t);
      }
      t.call = now;
    }
  }

  // The verdict, from the chains.
  const summary: DemoSummary = { calls: tracked.length, deliveredOnce: 0, lost: 0, duplicated: 0 };
  for (const t of tracked) {
    const packet = t.call.packet as unknown as Packet;
    const [count, source] = await Promise.all([executions(fleet, t.to, t.key), t.from.chain.reader.interchain!.packetState!(packet)]);
    const acknowledged = source.state === 'acknowledged';
    if (!acknowledged) summary.lost++;
    if (count > 1) summary.duplicated++;
    if (count === 1) summary.deliveredOnce++;
    o.print(
      `[call ${t.n}] on ${t.to.chain.name}: executed ${count} time${count === 1 ? '' : 's'}; on ${t.from.chain.name}: ${source.state}${acknowledged ? '' : ' (lost)'}`,
    );
  }
  return summary;
}

export const summaryLine = (s: DemoSummary) =>
  `interchain demo: ${s.calls} calls, ${s.deliveredOnce} delivered once, ${s.lost} lost, ${s.duplicated} duplicated`;

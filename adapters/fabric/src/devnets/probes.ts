import { Socket } from 'node:net';
import { freePort } from '@bsn/devnets';

/** The operations endpoint's /healthz answers 200 once the node's components are up. */
export async function healthy(port: number, host = '127.0.0.1'): Promise<true | undefined> {
  const response = await fetch(`http://${host}:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
  return response.ok ? true : undefined;
}

/** Resolves true once something accepts TCP connections on host:port (default 127.0.0.1). */
export function tcpOpen(port: number, host = '127.0.0.1'): Promise<true | undefined> {
  return new Promise((resolveProbe) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolveProbe(ok ? true : undefined);
    };
    socket.setTimeout(1_000);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
    socket.connect(port, host);
  });
}

const handedOut = new Set<number>();

/**
 * `n` free loopback ports, all different and never handed out before in this process: a
 * devnet binds a dozen ports some seconds after choosing them, and the OS may offer a port
 * that was just probed free again.
 */
export async function distinctFreePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let attempts = 0; ports.length < n; attempts++) {
    if (attempts > n * 50) throw new Error(`could not find ${n} distinct free ports`);
    const port = await freePort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    ports.push(port);
  }
  return ports;
}

/** Whether the orderer leads the channel's Raft cluster (it takes broadcasts only once a leader exists). */
export async function raftLeader(operationsPort: number, channel: string, host = '127.0.0.1'): Promise<true | undefined> {
  const response = await fetch(`http://${host}:${operationsPort}/metrics`, { signal: AbortSignal.timeout(2_000) });
  const text = await response.text();
  const line = text.split('\n').find((l) => l.startsWith(`consensus_etcdraft_is_leader{channel="${channel}"}`));
  return line && Number(line.split(' ').pop()) === 1 ? true : undefined;
}

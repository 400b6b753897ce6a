/**
 * The relayer's memory in the registry's database (SQLite, or PostgreSQL shared by several
 * instances): the calls it tracks, the event checkpoints it watches from, and short leases so
 * that instances sharing a registry do not work one packet at the same time. Losing all of it
 * loses no packet: the chains hold the truth, and watching restarts from the first event.
 */
import type { Checkpoint } from '@bsn/contract';
import type { SqlDriver } from '../registry/sql-registry.js';
import type { CallState, InterchainCall } from './call.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS interchain_calls (
  packet_id TEXT PRIMARY KEY, app TEXT, src_chain TEXT NOT NULL, dst_chain TEXT NOT NULL, doc TEXT NOT NULL,
  state TEXT NOT NULL, lease_holder TEXT, lease_until BIGINT NOT NULL DEFAULT 0, updated_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS interchain_calls_app ON interchain_calls(app);
CREATE INDEX IF NOT EXISTS interchain_calls_state ON interchain_calls(state);
CREATE TABLE IF NOT EXISTS interchain_sources (network TEXT NOT NULL, app TEXT NOT NULL, PRIMARY KEY (network, app));
CREATE TABLE IF NOT EXISTS interchain_checkpoints (
  network TEXT NOT NULL, app TEXT NOT NULL, name TEXT NOT NULL, checkpoint TEXT NOT NULL, PRIMARY KEY (network, app, name))
`;

type Row = Record<string, unknown>;

export class CallStore {
  constructor(private readonly db: SqlDriver) {}

  async migrate(): Promise<void> {
    await this.db.exec(SCHEMA);
  }

  /** Records a call unless one exists for its packet id; returns what is stored. */
  async add(call: InterchainCall): Promise<InterchainCall> {
    await this.db.run(
      `INSERT INTO interchain_calls (packet_id, app, src_chain, dst_chain, doc, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (packet_id) DO NOTHING`,
      [call.packetId, call.app ?? null, call.packet.srcChain, call.packet.dstChain, JSON.stringify(call), call.state, call.updatedAt],
    );
    // Its source app's outbox is worth watching from now on: its next packets are found on the chain.
    await this.db.run('INSERT INTO interchain_sources (network, app) VALUES (?, ?) ON CONFLICT (network, app) DO NOTHING', [
      call.packet.srcChain,
      call.packet.srcApp,
    ]);
    // A call first seen on chain and then sent through the API (or the reverse) keeps its app.
    if (call.app) await this.db.run('UPDATE interchain_calls SET app = ? WHERE packet_id = ? AND app IS NULL', [call.app, call.packetId]);
    return (await this.get(call.packetId))!;
  }

  async get(packetId: string): Promise<InterchainCall | null> {
    const [r] = await this.db.all('SELECT * FROM interchain_calls WHERE packet_id = ?', [packetId]);
    return r ? toCall(r) : null;
  }

  async save(call: InterchainCall): Promise<void> {
    await this.db.run('UPDATE interchain_calls SET doc = ?, state = ?, updated_at = ? WHERE packet_id = ?', [
      JSON.stringify(call),
      call.state,
      call.updatedAt,
      call.packetId,
    ]);
  }

  /** Calls of an app (sent through this node), newest first. */
  async listByApp(app: string, limit: number): Promise<InterchainCall[]> {
    return (await this.db.all('SELECT * FROM interchain_calls WHERE app = ? ORDER BY updated_at DESC LIMIT ?', [app, limit])).map(toCall);
  }

  /** Calls not yet final, for the relayer. */
  async open(states: CallState[], limit: number): Promise<InterchainCall[]> {
    const marks = states.map(() => '?').join(', ');
    return (
      await this.db.all(`SELECT * FROM interchain_calls WHERE state IN (${marks}) ORDER BY updated_at LIMIT ?`, [...states, limit])
    ).map(toCall);
  }

  /** Takes the packet for `holder` until `until` unless another holder's lease is still running. */
  async lease(packetId: string, holder: string, until: number, now: number): Promise<boolean> {
    const changed = await this.db.run(
      'UPDATE interchain_calls SET lease_holder = ?, lease_until = ? WHERE packet_id = ? AND (lease_holder IS NULL OR lease_holder = ? OR lease_until < ?)',
      [holder, until, packetId, holder, now],
    );
    return changed === 1;
  }

  async release(packetId: string, holder: string): Promise<void> {
    await this.db.run('UPDATE interchain_calls SET lease_holder = NULL, lease_until = 0 WHERE packet_id = ? AND lease_holder = ?', [
      packetId,
      holder,
    ]);
  }

  /** Apps that both sides of a grant let send (the registry's grants table): whose outboxes are watched. */
  async grantedSources(): Promise<string[]> {
    const rows = await this.db.all<{ source_app: string }>(
      'SELECT DISTINCT source_app FROM grants WHERE source_side IS NOT NULL AND target_side IS NOT NULL ORDER BY source_app',
    );
    return rows.map((r) => r.source_app);
  }

  /**
   * Source apps (by network) of every packet this node has tracked — sent through its API, seen on
   * a chain, or proven for a peer that asked it to attest: outboxes it watches though the registry
   * holds no grant of theirs (the app belongs to another city node, which may go down).
   */
  async trackedSources(): Promise<Array<{ network: string; app: string }>> {
    return this.db.all<{ network: string; app: string }>('SELECT network, app FROM interchain_sources ORDER BY network, app');
  }

  /**
   * Ends every lease held by an earlier run of this node on this host (`holderPrefix`): one killed
   * (-9) left them, and its packets must not wait for them to run out.
   */
  async releaseHeldBy(holderPrefix: string): Promise<number> {
    return this.db.run('UPDATE interchain_calls SET lease_holder = NULL, lease_until = 0 WHERE substr(lease_holder, 1, ?) = ?', [
      holderPrefix.length,
      holderPrefix,
    ]);
  }

  async checkpoint(network: string, app: string, name: string): Promise<Checkpoint | undefined> {
    const [r] = await this.db.all('SELECT checkpoint FROM interchain_checkpoints WHERE network = ? AND app = ? AND name = ?', [
      network,
      app,
      name,
    ]);
    return r ? (JSON.parse(String(r['checkpoint'])) as Checkpoint) : undefined;
  }

  async setCheckpoint(network: string, app: string, name: string, at: Checkpoint): Promise<void> {
    await this.db.run(
      `INSERT INTO interchain_checkpoints (network, app, name, checkpoint) VALUES (?, ?, ?, ?)
       ON CONFLICT (network, app, name) DO UPDATE SET checkpoint = excluded.checkpoint`,
      [network, app, name, JSON.stringify(at)],
    );
  }
}

function toCall(r: Row): InterchainCall {
  const call = JSON.parse(String(r['doc'])) as InterchainCall;
  if (typeof r['app'] === 'string') call.app = r['app'];
  return call;
}

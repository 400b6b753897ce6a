/**
 * What the node checks beyond a certificate's signature: its certifiers' revocation lists
 * (loaded at start, reloaded every `trust.revocationRefreshSeconds`) and, when configured, the
 * transparency log the certificate must be in. A plugin revoked while the node runs is
 * unloaded: its networks answer UNAVAILABLE (`plugin-revoked`), a log line says why, and
 * `bsn_plugins_unloaded_total` counts it.
 */
import type { Logger } from '@bsn/contract';
import { UnavailableError } from '@bsn/contract';
import {
  LogClient,
  LogVerifier,
  RevocationWatcher,
  fileSthStore,
  logTransparency,
  readLogPublicKey,
  revocationOf,
  type LoadedPlugin,
  type PluginHostOptions,
  type TrustedCertifier,
} from '@bsn/plugin-host';
import { Counter, type Registry as PromRegistry } from 'prom-client';
import type { NodeConfig } from './config.js';
import type { Networks } from './networks.js';

export interface PluginTrust {
  /** For the PluginHost. */
  hostOptions: Pick<PluginHostOptions, 'revocations' | 'transparency'>;
  /** Reloads the revocation lists now and unloads every loaded plugin they revoke; resolves to the plugins unloaded. */
  refresh(): Promise<string[]>;
  /** Starts the refresh timer over the plugins the node loaded. */
  watch(loaded: readonly LoadedPlugin[], networks: Networks, prometheus: PromRegistry): void;
  stop(): void;
}

/**
 * Opens the revocation lists and the log. A list that exists but cannot be read or does not
 * hold stops the start (a node that cannot see revocations must not guess); a list file not
 * written yet (its certifier revoked nothing) is an empty list.
 */
export async function openPluginTrust(config: NodeConfig, trusted: readonly TrustedCertifier[], log: Logger): Promise<PluginTrust> {
  const { revocations: sources, revocationRefreshSeconds, log: logConfig } = config.trust;
  const startProblems: string[] = [];
  let started = false;
  const watcher = new RevocationWatcher(sources, trusted, (source, message) => {
    if (/ENOENT/.test(message)) {
      if (!started) log.info(`revocation list ${source} does not exist yet: nothing revoked by it`);
      return;
    }
    if (!started) startProblems.push(`${source}: ${message}`);
    else log.warn(`revocation list ${source} not reloaded, keeping the last good one: ${message}`);
  });
  if (sources.length > 0) {
    await watcher.refresh();
    if (startProblems.length)
      throw new UnavailableError(`cannot load the revocation lists (trust.revocations):\n${startProblems.join('\n')}`);
    log.info(`revocation lists loaded: ${watcher.revoked.size} certificate(s) revoked`, { lists: sources.length });
  }
  started = true;

  let transparency: PluginHostOptions['transparency'];
  if (logConfig) {
    const publicKey = await readLogPublicKey(logConfig.publicKey);
    const client = logConfig.url ? new LogClient(logConfig.url) : undefined;
    const verifier = new LogVerifier({
      log: publicKey,
      store: fileSthStore(config.node.dataDir, publicKey),
      consistency: client
        ? client.consistency
        : () => Promise.reject(new Error('trust.log has no url, so no consistency proof can be fetched')),
    });
    transparency = logTransparency(verifier, client);
  }

  let timer: NodeJS.Timeout | undefined;
  let unload: () => Promise<string[]> = async () => [];
  let refreshing: Promise<string[]> | undefined;
  const refresh = () =>
    (refreshing ??= (async () => {
      try {
        await watcher.refresh();
        return await unload();
      } finally {
        refreshing = undefined;
      }
    })());

  return {
    hostOptions: { ...(sources.length > 0 && { revocations: watcher }), ...(transparency && { transparency }) },
    refresh,
    watch(loaded, networks, prometheus) {
      if (sources.length === 0) return;
      const unloaded = new Counter({
        name: 'bsn_plugins_unloaded_total',
        help: 'Plugins unloaded while the node ran, by reason',
        labelNames: ['plugin', 'reason'],
        registers: [prometheus],
      });
      const live = new Set(loaded);
      unload = async () => {
        const names: string[] = [];
        for (const plugin of live) {
          const revocation = plugin.certificate && revocationOf(watcher, plugin.certificate);
          if (!revocation) continue;
          live.delete(plugin);
          const label = `${plugin.manifest.name}@${plugin.manifest.version}`;
          const why = `its certificate was revoked by ${revocation.payload.certifier.name} at ${revocation.payload.revokedAt}: ${revocation.payload.reason}`;
          const gone = await networks.withdraw(label, 'plugin-revoked', why);
          unloaded.inc({ plugin: label, reason: 'certificate-revoked' });
          log.error(`plugin ${label} UNLOADED — ${why}`, { networks: gone, reason: 'certificate-revoked' });
          names.push(label);
        }
        return names;
      };
      timer = setInterval(() => {
        refresh().catch((err: unknown) => log.warn('revocation refresh failed', { error: (err as Error).message }));
      }, revocationRefreshSeconds * 1000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}

/**
 * Loading a plugin confined: the host's checks (manifest, API range, certificate, digest, entry
 * file) run in the node exactly as for `PluginHost.load`, but the entry is never imported there:
 * a child process under Node's permission model imports it (`runner.ts`) and every adapter the
 * returned factory connects runs in that process, behind a proxy.
 */
import { mkdir } from 'node:fs/promises';
import type { AdapterFactory, Logger } from '@bsn/contract';
import { PluginRefusedError } from '../errors.js';
import type { LoadOptions, LoadedPlugin, PluginHost } from '../host.js';
import { normaliseRelativePath, type PluginManifest } from '../manifest.js';
import { networkConfigCheck } from '../network-config.js';
import { GRANTS, confinement, escapingLinks, type Confinement, type Grant } from './confinement.js';
import { PluginProcess, PluginStartError, type PluginProcessOptions, type RestartPolicy } from './plugin-process.js';

export interface IsolationOptions extends LoadOptions {
  /**
   * The folders the plugin may write (and read): the `dataDir` of every network it will be
   * connected to, or a folder holding them. Created when missing. A `connect()` with a data dir
   * outside them is refused.
   */
  dataDirs?: readonly string[];
  /** More read-only paths the plugin needs (files it is configured with). */
  readPaths?: readonly string[];
  /**
   * Capabilities the node allows this plugin beyond files. Granted only when the plugin's
   * manifest declares them too (`permissions`, a future manifest field); otherwise each is
   * refused with a warning.
   */
  allow?: readonly Grant[];
  restart?: RestartPolicy;
  graceMs?: number;
  /** Log lines of the confinement (denials, crashes, restarts). Default: warnings and errors to stderr. */
  logger?: Logger;
  /** More environment variables for the plugin process (it inherits almost none of the node's). */
  env?: Readonly<Record<string, string>>;
  /** The runner script (default: the built one of this package). */
  runner?: string;
  trace?: PluginProcessOptions['trace'];
}

/** A loaded plugin whose adapters run in a confined child process. */
export interface IsolatedPlugin extends LoadedPlugin {
  process: PluginProcess;
  confinement: Confinement;
  /** Milliseconds spent: the host's checks, and from spawning the process to the entry loaded in it. */
  timings: { verifyMs: number; startMs: number };
  /** Ends the process and every adapter connected through it. */
  close(): Promise<void>;
}

const stderrLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (message) => process.stderr.write(`warning: ${message}\n`),
  error: (message) => process.stderr.write(`error: ${message}\n`),
};

/** Capabilities the manifest declares (`permissions`: not yet in the manifest schema, so none today). */
export function declaredGrants(manifest: PluginManifest): Grant[] {
  const declared = (manifest as unknown as { permissions?: unknown }).permissions;
  return Array.isArray(declared) ? declared.filter((g): g is Grant => (GRANTS as readonly unknown[]).includes(g)) : [];
}

/**
 * Verifies the plugin (never importing it here), starts its confined process and waits until
 * the process imported the entry and found its factory. Throws the PluginRefusedError of a
 * refused plugin, and `entry-invalid` when the process cannot load the entry or the plugin
 * folder holds a link out of its confinement.
 */
export async function loadIsolated(host: PluginHost, source: string, options: IsolationOptions = {}): Promise<IsolatedPlugin> {
  const logger = options.logger ?? stderrLogger;
  const started = performance.now();
  const verification = await host.verify(source, options.certificate !== undefined ? { certificate: options.certificate } : {});
  if (!verification.accepted || !verification.manifest || !verification.digest) {
    throw verification.refusal ?? new Error(`plugin ${source} was not accepted`);
  }
  const { manifest, digest } = verification;
  const label = `${manifest.name}@${manifest.version}`;
  const folder = verification.source.folder;
  let check: Awaited<ReturnType<typeof networkConfigCheck>>;
  try {
    check = await networkConfigCheck(folder, manifest);
  } catch (error) {
    throw new PluginRefusedError('entry-invalid', manifest.name, (error as Error).message);
  }

  const declared = declaredGrants(manifest);
  const grants = (options.allow ?? []).filter((grant) => {
    if (declared.includes(grant)) return true;
    logger.warn(`plugin ${label}: ${grant} not granted: the node allows it but the plugin's manifest does not declare it`);
    return false;
  });
  for (const dir of options.dataDirs ?? []) await mkdir(dir, { recursive: true });
  let confined: Confinement;
  try {
    confined = confinement({
      folder,
      ...(options.dataDirs && { dataDirs: options.dataDirs }),
      ...(options.readPaths && { readPaths: options.readPaths }),
      grants,
      ...(options.runner && { runner: options.runner }),
      ...(options.env && { env: options.env }),
    });
  } catch (error) {
    throw new PluginRefusedError('entry-invalid', label, `cannot be confined: ${(error as Error).message}`);
  }
  const escaping = await escapingLinks([folder, ...confined.writes], confined.reads);
  if (escaping.length > 0) {
    throw new PluginRefusedError(
      'entry-invalid',
      label,
      `cannot be confined: symbolic link(s) lead out of what it may read (the permission model follows links): ${escaping.slice(0, 5).join(', ')}${escaping.length > 5 ? ', …' : ''}`,
    );
  }
  const verifyMs = performance.now() - started;

  const proc = new PluginProcess({
    label,
    folder,
    entry: normaliseRelativePath(manifest.entry),
    confinement: confined,
    logger,
    ...(options.restart && { restart: options.restart }),
    ...(options.graceMs !== undefined && { graceMs: options.graceMs }),
    ...(options.trace && { trace: options.trace }),
  });
  const spawned = performance.now();
  try {
    await proc.start();
  } catch (error) {
    await proc.close();
    if (error instanceof PluginStartError) throw new PluginRefusedError('entry-invalid', label, error.why);
    throw error;
  }
  const startMs = performance.now() - spawned;

  const factory: AdapterFactory = {
    async connect(network, context) {
      check?.(network);
      return proc.connect(network, context);
    },
  };
  logger.info(`plugin ${label} loaded, confined in process ${proc.pid}`, {
    digest: digest.digest,
    certified: verification.certified,
    reads: confined.reads.length,
    writes: confined.writes,
    grants: confined.grants,
  });
  const loaded: IsolatedPlugin = {
    manifest,
    digest,
    factory,
    folder,
    verification,
    process: proc,
    confinement: confined,
    timings: { verifyMs, startMs },
    close: () => proc.close(),
  };
  if (verification.certified && verification.certificate) loaded.certificate = verification.certificate;
  return loaded;
}

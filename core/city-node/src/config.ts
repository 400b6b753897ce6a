/**
 * The city node's configuration (`schemas/node-config.schema.json`): YAML or JSON, every
 * property defaulted, paths resolved against the config file's folder. Errors name the
 * field as a JSON pointer: `node config /listen/restPort: must be integer (got string)`.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { KeyAlgorithm } from '@bsn/contract';
import { InvalidInputError, formatViolations, validateSchema } from '@bsn/contract';
import type { Grant } from '@bsn/plugin-host';
import type { PortalPolicy } from './registry/registry.js';
import { resolveInterchainConfig, type InterchainConfig } from './interchain/config.js';

export interface NetworkEntry {
  name: string;
  /** A devnet of the conformance kit to start (anvil, geth…). */
  devnet?: string;
  /** The adapter's own network config, minus framework and name. */
  endpoint?: Record<string, unknown>;
}

export interface PluginEntry {
  source: string;
  /** Certificate file when not `bsn-certificate.json` in the plugin folder. */
  certificate?: string;
  networks: NetworkEntry[];
  /** The conformance report that earned its certificate, shown on the operator page. */
  report?: string;
  /** How this plugin is confined, when it says so itself (docs/city-node.md, "Plugin confinement"); else the node's `isolation`. */
  isolation?: PluginIsolation;
}

/** A plugin's confinement: its own process under Node's permission model, unless `enabled` is false. */
export interface PluginIsolation {
  enabled: boolean;
  /** Capabilities beyond files the node allows it (granted only when its manifest declares them too). */
  allow: Grant[];
  /** More read-only paths it may read (absolute). */
  readPaths: string[];
}

export interface SeedUser {
  code: string;
  algorithm: KeyAlgorithm;
  publicKey: string;
  keyMode: 'hosted' | 'user';
  role: 'operator' | 'admin' | 'member';
}

export interface SeedPortal {
  code: string;
  name: string;
  /** Its jurisdiction (absent: may offer anything). */
  policy?: PortalPolicy;
  users: SeedUser[];
}

export interface NodeConfig {
  /** Folder the config came from (process cwd when none); relative paths are resolved against it. */
  baseDir: string;
  node: { name: string; dataDir: string };
  listen: { host: string; restPort: number; grpcPort: number; grpc: boolean };
  registry: { kind: 'sqlite' | 'postgres'; path: string; url?: string };
  keys: { nodeKey: string; passphraseEnv: string; passphraseFile?: string; scryptN: number };
  trust: {
    certifiers: string[];
    requireFull: boolean;
    /** Revocation list files (absolute) or http(s) URLs. */
    revocations: string[];
    revocationRefreshSeconds: number;
    /** The transparency log certificates must be in. */
    log?: { publicKey: string; url?: string };
    /** Suite versions accepted (see schemas/node-config.schema.json). */
    suites: { current?: string; previous: Record<string, string> };
  };
  plugins: PluginEntry[];
  /** Plugins run confined, each in its own process (default); a plugin's own `isolation` overrides. */
  isolation?: { enabled: boolean };
  limits: { bodyBytes: number; clockSkewMs: number; tpsWindowMs: number };
  shutdown: { drainDelayMs: number; deadlineMs: number };
  portals: SeedPortal[];
  /** The operator and portal pages at /ui/: `dir` holds them (default: @bsn/console's, found at run time). */
  ui: { enabled: boolean; dir?: string };
  /** Interchain delivery: pinned trust roots per remote chain, peer nodes, the relayer. */
  interchain: InterchainConfig;
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : {});

/**
 * Validates a parsed document and fills defaults. `baseDir` anchors relative paths;
 * `env` supplies `registry.urlEnv`.
 */
export function resolveNodeConfig(raw: unknown, baseDir: string, env: Record<string, string | undefined> = process.env): NodeConfig {
  const doc = raw === null || raw === undefined ? {} : raw;
  const result = validateSchema('node-config', doc);
  if (!result.ok) {
    throw new InvalidInputError(formatViolations('node config', result.violations), { field: result.violations[0]?.pointer || '/' });
  }
  const d = obj(doc);
  const node = obj(d['node']);
  const listen = obj(d['listen']);
  const registry = obj(d['registry']);
  const keys = obj(d['keys']);
  const trust = obj(d['trust']);
  const limits = obj(d['limits']);
  const shutdown = obj(d['shutdown']);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const dataDir = abs((node['dataDir'] as string | undefined) ?? '.bsn/node');
  const inData = (p: string) => (isAbsolute(p) ? p : resolve(dataDir, p));

  const kind = (registry['kind'] as 'sqlite' | 'postgres' | undefined) ?? 'sqlite';
  let url = registry['url'] as string | undefined;
  if (kind === 'postgres' && !url) {
    const name = registry['urlEnv'] as string;
    url = env[name];
    if (!url)
      throw new InvalidInputError(`node config /registry/urlEnv: environment variable ${name} is not set`, { field: '/registry/urlEnv' });
  }
  const isolation = { enabled: (obj(d['isolation'])['enabled'] as boolean | undefined) ?? true };
  const plugins = ((d['plugins'] as Raw[] | undefined) ?? []).map((p) => {
    const source = p['source'] as string;
    const looksLikePath = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
    const confined = obj(p['isolation']);
    return {
      source: looksLikePath ? abs(source) : source,
      ...(p['certificate'] !== undefined && { certificate: abs(p['certificate'] as string) }),
      ...(p['report'] !== undefined && { report: abs(p['report'] as string) }),
      networks: (p['networks'] as Raw[]).map((n) => ({
        name: n['name'] as string,
        ...(n['devnet'] !== undefined && { devnet: n['devnet'] as string }),
        ...(n['endpoint'] !== undefined && { endpoint: n['endpoint'] as Record<string, unknown> }),
      })),
      // Absent unless the plugin has its own: then the node's `isolation` applies.
      ...(p['isolation'] !== undefined && {
        isolation: {
          enabled: (confined['enabled'] as boolean | undefined) ?? isolation.enabled,
          allow: (confined['allow'] as Grant[] | undefined) ?? [],
          readPaths: ((confined['readPaths'] as string[] | undefined) ?? []).map(abs),
        },
      }),
    };
  });
  const names = new Set<string>();
  plugins.forEach((p, i) =>
    p.networks.forEach((n, j) => {
      if (names.has(n.name))
        throw new InvalidInputError(`node config /plugins/${i}/networks/${j}/name: network name "${n.name}" is used twice`, {
          field: `/plugins/${i}/networks/${j}/name`,
        });
      names.add(n.name);
    }),
  );
  const portals = ((d['portals'] as Raw[] | undefined) ?? []).map((p) => ({
    code: p['code'] as string,
    name: (p['name'] as string | undefined) ?? (p['code'] as string),
    ...(p['policy'] !== undefined && { policy: p['policy'] as PortalPolicy }),
    users: ((p['users'] as Raw[] | undefined) ?? []).map((u) => ({
      code: u['code'] as string,
      algorithm: u['algorithm'] as KeyAlgorithm,
      publicKey: (u['publicKey'] as string).replace(/^0x/, '').toLowerCase(),
      keyMode: (u['keyMode'] as 'hosted' | 'user' | undefined) ?? 'hosted',
      role: (u['role'] as SeedUser['role'] | undefined) ?? 'member',
    })),
  }));
  const passphraseFile = keys['passphraseFile'] as string | undefined;
  return {
    baseDir,
    node: { name: (node['name'] as string | undefined) ?? 'city-node', dataDir },
    listen: {
      host: (listen['host'] as string | undefined) ?? '127.0.0.1',
      restPort: (listen['restPort'] as number | undefined) ?? 8080,
      grpcPort: (listen['grpcPort'] as number | undefined) ?? 9090,
      grpc: (listen['grpc'] as boolean | undefined) ?? true,
    },
    registry: { kind, path: inData((registry['path'] as string | undefined) ?? 'registry.sqlite'), ...(url && { url }) },
    keys: {
      nodeKey: inData((keys['nodeKey'] as string | undefined) ?? 'node-key.json'),
      passphraseEnv: (keys['passphraseEnv'] as string | undefined) ?? 'BSN_NODE_PASSPHRASE',
      ...(passphraseFile && { passphraseFile: abs(passphraseFile) }),
      scryptN: (keys['scryptN'] as number | undefined) ?? 32768,
    },
    trust: {
      certifiers: ((trust['certifiers'] as string[] | undefined) ?? []).map(abs),
      requireFull: (trust['requireFull'] as boolean | undefined) ?? true,
      revocations: ((trust['revocations'] as string[] | undefined) ?? []).map((s) => (/^https?:\/\//.test(s) ? s : abs(s))),
      revocationRefreshSeconds: (trust['revocationRefreshSeconds'] as number | undefined) ?? 300,
      suites: {
        ...(obj(trust['suites'])['current'] !== undefined && { current: obj(trust['suites'])['current'] as string }),
        previous: (obj(trust['suites'])['previous'] as Record<string, string> | undefined) ?? {},
      },
      ...(trust['log'] !== undefined && {
        log: {
          publicKey: abs(obj(trust['log'])['publicKey'] as string),
          ...(obj(trust['log'])['url'] !== undefined && { url: obj(trust['log'])['url'] as string }),
        },
      }),
    },
    plugins,
    isolation,
    limits: {
      bodyBytes: (limits['bodyBytes'] as number | undefined) ?? 1_048_576,
      clockSkewMs: (limits['clockSkewMs'] as number | undefined) ?? 300_000,
      tpsWindowMs: (limits['tpsWindowMs'] as number | undefined) ?? 60_000,
    },
    shutdown: {
      drainDelayMs: (shutdown['drainDelayMs'] as number | undefined) ?? 0,
      deadlineMs: (shutdown['deadlineMs'] as number | undefined) ?? 10_000,
    },
    portals,
    ui: {
      enabled: (obj(d['ui'])['enabled'] as boolean | undefined) ?? true,
      ...(obj(d['ui'])['dir'] !== undefined && { dir: abs(obj(d['ui'])['dir'] as string) }),
    },
    interchain: resolveInterchainConfig(d['interchain']),
  };
}

/** Parses YAML (or JSON, which is YAML) text; syntax errors name the line. */
export function parseNodeConfigText(text: string, source = 'node config'): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      throw new InvalidInputError(
        `${source}: not valid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${err.message.split('\n')[0]}`,
        { field: '/' },
      );
    }
    throw err;
  }
}

/** Reads and resolves a config file; with no path, the embedded defaults anchored at `cwd`. */
export async function loadNodeConfig(
  path: string | undefined,
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<NodeConfig> {
  const cwd = options.cwd ?? process.cwd();
  if (!path) return resolveNodeConfig({}, cwd, options.env);
  const full = resolve(cwd, path);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    throw new InvalidInputError(`cannot read the node config ${full}: ${(err as Error).message}`, { field: '/' });
  }
  return resolveNodeConfig(parseNodeConfigText(text, full), dirname(full), options.env);
}

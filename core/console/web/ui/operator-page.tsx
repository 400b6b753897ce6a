/**
 * The operator's view: plugins and their certificates (and the conformance report that earned
 * each), networks with their health, head block and usage charts, every portal's policy, apps
 * and usage, interchain calls — one signed `GET /v1/operator/overview`, polled — and the
 * management of portals and their users.
 */
import { useRef } from 'preact/hooks';
import type { SignedApi } from '../../src/signing/signed-api.js';
import { UsageChart, pointOf, record, type UsagePoint } from './chart.js';
import { bytes, count, date, offered, rate } from './format.js';
import { usePoll } from './poll.js';
import { PortalAdmin } from './portal-admin.js';

interface Usage {
  txs: number;
  tps: number;
  reads: number;
  storageBytes: number;
  bytesIn: number;
  bytesOut: number;
}

interface Plugin {
  source: string;
  plugin?: string;
  framework?: string;
  state: 'full' | 'provisional' | 'uncertified' | 'refused';
  certifier?: string;
  expiresAt?: string;
  reason?: string;
  message?: string;
  report?: {
    suite: string;
    target: string;
    matchesCertificate: boolean;
    passed: number;
    failed: number;
    skipped: number;
    cases: Array<{ id: string; level: string; title: string; outcome: string; ms?: number }>;
  };
}

export interface Overview {
  node: string;
  at: number;
  plugins: Plugin[];
  networks: Array<{
    name: string;
    framework: string;
    plugin: string;
    origin: string;
    health: { ok: boolean; height?: number; error?: string };
    apps: number;
    usage: Usage;
  }>;
  withdrawn: Array<{ name: string; plugin: string; message: string }>;
  portals: Array<{
    code: string;
    name: string;
    policy: { frameworks?: string[]; networks?: string[] };
    users: number;
    apps: Array<{ code: string; name: string; owner: string; framework: string; network: string; usage: Usage }>;
  }>;
  interchain: Array<{ id: string; source: string; target: string; state: string }>;
}

const STATE_CLASS = { full: 'ok', provisional: 'warn', uncertified: 'warn', refused: 'bad' } as const;

function Plugins({ plugins }: { plugins: Plugin[] }) {
  return (
    <>
      <table>
        <caption class="sr-only">Plugins and their certificates</caption>
        <thead>
          <tr>
            <th scope="col">Plugin</th>
            <th scope="col">Framework</th>
            <th scope="col">Certificate</th>
            <th scope="col">Certifier</th>
            <th scope="col">Expires</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {plugins.map((p) => (
            <tr key={p.source} data-plugin={p.plugin ?? p.source}>
              <td>{p.plugin ?? p.source}</td>
              <td>{p.framework ?? '—'}</td>
              <td>
                <span class={`badge ${STATE_CLASS[p.state]}`}>{p.state}</span>
              </td>
              <td>{p.certifier ?? '—'}</td>
              <td>{date(p.expiresAt)}</td>
              <td class="why">
                {p.state === 'refused' ? `${p.reason}: ${p.message}` : p.state === 'provisional' ? 'earned on an emulator' : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {plugins
        .filter((p) => p.report)
        .map((p) => (
          <details key={`r-${p.source}`} class="panel" data-report={p.plugin?.replace(/@[^@]*$/, '')}>
            <summary>
              Conformance report of {p.plugin}: {p.report!.passed} passed, {p.report!.failed} failed, {p.report!.skipped} skipped (
              {p.report!.suite} on {p.report!.target}) —{' '}
              {p.report!.matchesCertificate ? 'the certified run' : 'NOT the run its certificate names'}
            </summary>
            <table>
              <thead>
                <tr>
                  <th scope="col">Case</th>
                  <th scope="col">Level</th>
                  <th scope="col">Title</th>
                  <th scope="col">Outcome</th>
                  <th scope="col" class="num">
                    ms
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.report!.cases.map((c) => (
                  <tr key={c.id} data-case={c.id}>
                    <td>{c.id}</td>
                    <td>{c.level}</td>
                    <td>{c.title}</td>
                    <td>{c.outcome}</td>
                    <td class="num">{c.ms ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        ))}
    </>
  );
}

export function OperatorPage({ api }: { api: SignedApi }) {
  const overview = usePoll(() => api.call<Overview>('GET', '/v1/operator/overview'), [api]);
  const series = useRef(new Map<string, UsagePoint[]>());
  const o = overview.data;
  const sample = (key: string, u: Usage) => record(series.current, key, pointOf(o!.at, u));
  return (
    <main>
      <h1>Operator — {o?.node ?? '…'}</h1>
      {overview.error && (
        <p class="error" role="alert">
          {overview.error}
        </p>
      )}
      {!o ? (
        <p>Loading…</p>
      ) : (
        <>
          <section aria-labelledby="plugins">
            <h2 id="plugins">Plugins</h2>
            <Plugins plugins={o.plugins} />
          </section>
          <section aria-labelledby="networks">
            <h2 id="networks">Networks</h2>
            <table>
              <thead>
                <tr>
                  <th scope="col">Network</th>
                  <th scope="col">Framework</th>
                  <th scope="col">Health</th>
                  <th scope="col" class="num">
                    Head block
                  </th>
                  <th scope="col" class="num">
                    Apps
                  </th>
                  <th scope="col" class="num">
                    Transactions
                  </th>
                  <th scope="col" class="num">
                    TPS
                  </th>
                  <th scope="col" class="num">
                    Storage
                  </th>
                  <th scope="col" class="num">
                    Bandwidth in / out
                  </th>
                </tr>
              </thead>
              <tbody>
                {o.networks.map((n) => (
                  <tr key={n.name} data-network={n.name}>
                    <td>
                      {n.name} <span class="muted">({n.origin})</span>
                    </td>
                    <td>{n.framework}</td>
                    <td>
                      <span class={`badge ${n.health.ok ? 'ok' : 'bad'}`}>{n.health.ok ? 'healthy' : 'unreachable'}</span>
                      {n.health.error && <span class="muted"> {n.health.error}</span>}
                    </td>
                    <td class="num">{n.health.height ?? '—'}</td>
                    <td class="num">{n.apps}</td>
                    <td class="num">{count(n.usage.txs)}</td>
                    <td class="num">{rate(n.usage.tps)}</td>
                    <td class="num">{bytes(n.usage.storageBytes)}</td>
                    <td class="num">
                      {bytes(n.usage.bytesIn)} / {bytes(n.usage.bytesOut)}
                    </td>
                  </tr>
                ))}
                {o.withdrawn.map((w) => (
                  <tr key={w.name}>
                    <td>{w.name}</td>
                    <td>—</td>
                    <td colSpan={7}>
                      <span class="badge bad">withdrawn</span> {w.plugin}: {w.message}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div class="grid">
              {o.networks.map((n) => (
                <UsageChart key={n.name} title={`Network ${n.name}`} series={`net:${n.name}`} points={sample(`net:${n.name}`, n.usage)} />
              ))}
            </div>
          </section>
          <section aria-labelledby="portals">
            <h2 id="portals">Portals and their apps</h2>
            {o.portals.map((p) => (
              <section key={p.code} aria-labelledby={`portal-${p.code}`} data-portal={p.code}>
                <h3 id={`portal-${p.code}`}>
                  {p.name} <span class="muted">({p.code})</span>
                </h3>
                <p class="muted">
                  Offers {offered(p.policy.frameworks, 'framework')} on {offered(p.policy.networks, 'network')}; {p.users} user(s),{' '}
                  {p.apps.length} app(s).
                </p>
                {p.apps.length > 0 && (
                  <>
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">App</th>
                          <th scope="col">Framework / network</th>
                          <th scope="col">Owner</th>
                          <th scope="col" class="num">
                            Transactions
                          </th>
                          <th scope="col" class="num">
                            TPS
                          </th>
                          <th scope="col" class="num">
                            Reads
                          </th>
                          <th scope="col" class="num">
                            Storage
                          </th>
                          <th scope="col" class="num">
                            Bandwidth in / out
                          </th>
                        </tr>
                      </thead>
                      <tbody>
                        {p.apps.map((a) => (
                          <tr key={a.code} data-app={`${p.code}:${a.code}`}>
                            <td>{a.code}</td>
                            <td>
                              {a.framework} / {a.network}
                            </td>
                            <td>{a.owner}</td>
                            <td class="num">{count(a.usage.txs)}</td>
                            <td class="num">{rate(a.usage.tps)}</td>
                            <td class="num">{count(a.usage.reads)}</td>
                            <td class="num">{bytes(a.usage.storageBytes)}</td>
                            <td class="num">
                              {bytes(a.usage.bytesIn)} / {bytes(a.usage.bytesOut)}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                    <div class="grid">
                      {p.apps.map((a) => (
                        <UsageChart
                          key={a.code}
                          title={`App ${p.code}:${a.code}`}
                          series={`app:${p.code}:${a.code}`}
                          points={sample(`app:${p.code}:${a.code}`, a.usage)}
                        />
                      ))}
                    </div>
                  </>
                )}
              </section>
            ))}
          </section>
          <section aria-labelledby="interchain">
            <h2 id="interchain">Interchain calls</h2>
            {o.interchain.length === 0 ? (
              <p class="muted">None: this node relays no cross-chain calls yet.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Call</th>
                    <th scope="col">From</th>
                    <th scope="col">To</th>
                    <th scope="col">State</th>
                  </tr>
                </thead>
                <tbody>
                  {o.interchain.map((c) => (
                    <tr key={c.id}>
                      <td>{c.id}</td>
                      <td>{c.source}</td>
                      <td>{c.target}</td>
                      <td>{c.state}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <PortalAdmin
            api={api}
            portals={o.portals}
            frameworks={[...new Set(o.networks.map((n) => n.framework))]}
            onChange={overview.refresh}
          />
        </>
      )}
    </main>
  );
}

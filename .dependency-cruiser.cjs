/**
 * The arrows between packages (DESIGN: adapters and conformance depend on the vendor-facing
 * contract, never the reverse). Run by `npm test` (e2e/src/repo/boundaries.test.ts); a
 * planted wrong-way import shows each rule fails when broken.
 */
const pkg = (name) => `^(core/${name})/`;
const CONTRACT = pkg('contract');
const allowed = {
  'core/contract': [],
  'core/plugin-host': ['core/contract'],
  'core/protocol': ['core/contract'],
  'core/client': ['core/contract', 'core/protocol'],
  'core/city-node': ['core/contract', 'core/plugin-host', 'core/protocol'],
  'core/cli': ['core/contract', 'core/plugin-host', 'core/protocol', 'core/client', 'core/city-node'],
  'conformance/devnets': ['core/contract'],
  'conformance/suite': ['core/contract', 'core/plugin-host'],
};
const WORKSPACES = '(core/(?!node_modules)[^/]+|conformance/(?!node_modules)[^/]+|adapters/(?!node_modules)[^/]+|e2e|bench)';
const CITY_NODE_TESTS = '^core/city-node/src/(testing/|.*\\.test\\.ts$)';

module.exports = {
  forbidden: [
    ...Object.entries(allowed).map(([from, to]) => ({
      name: `${from.replace('/', '-')}-arrows`,
      comment: `${from} may depend on ${to.length ? to.join(', ') : 'no other package'} only`,
      severity: 'error',
      from: { path: `^${from}/src/`, pathNot: from === 'core/city-node' ? CITY_NODE_TESTS : undefined },
      to: { path: `^${WORKSPACES}/`, pathNot: [`^${from}/`, ...to.map((t) => `^${t}/`)] },
    })),
    {
      name: 'city-node-tests-arrows',
      comment: "the city node's tests and test helpers may also use the client (they drive a node through it)",
      severity: 'error',
      from: { path: CITY_NODE_TESTS },
      to: { path: `^${WORKSPACES}/`, pathNot: ['^core/(city-node|contract|plugin-host|protocol|client)/'] },
    },
    {
      name: 'adapters-depend-on-the-contract-and-devnets-only',
      comment: 'an adapter and its devnets use @bsn/contract and @bsn/devnets; never core internals, the suite or another adapter',
      severity: 'error',
      from: { path: '^adapters/([^/]+)/' },
      to: { path: `^${WORKSPACES}/`, pathNot: ['^adapters/$1/', CONTRACT, '^conformance/devnets/'] },
    },
    {
      name: 'no-relative-path-into-another-package',
      comment: 'packages meet by package name (its exports), never by a relative path into another folder',
      severity: 'error',
      // The fleet and interchain benches drive the e2e harnesses (HAProxy, instances, certified copies;
      // two chains and three attesting nodes) rather than copies of them.
      from: { path: `^${WORKSPACES}/`, pathNot: '^bench/(fleet|interchain|interchain-fabric)\\.bench\\.ts$' },
      to: { dependencyTypes: ['local'], pathNot: '^$1/' },
    },
    {
      name: 'no-unresolvable',
      comment: 'an import that does not resolve would slip past every rule above (e.g. a package not built)',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // A package import resolves to the package's dist/: the arrow is seen, its insides are not cruised again.
    doNotFollow: { path: ['(^|/)node_modules/', '(^|/)dist/'] },
    // contract/target/, samples/token/target/: the EOS contracts as the AssemblyScript compiler sees them, generated and ignored
    exclude: {
      path: ['\\.cache/', '__fixtures__/boundary-violation', '^adapters/eos/contract/target/', '^adapters/eos/samples/token/target/'],
    },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.check.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
    },
  },
};

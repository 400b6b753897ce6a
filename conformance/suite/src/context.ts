import { randomBytes } from 'node:crypto';
import {
  BsnIdentity,
  type Adapter,
  type AdapterDescription,
  type NetworkConfig,
  type AppInfo,
  type AppSpec,
  type ChainAccount,
  type ChainReader,
  type KeyAlgorithm,
  type Signer,
  type TokenSample,
} from '@bsn/contract';

/** A participant in the suite: one BSN identity, its derived key and chain account on this framework. */
export interface Actor {
  name: string;
  identity: BsnIdentity;
  signer: Signer;
  account: ChainAccount;
}

export interface SuiteContext {
  adapter: Adapter;
  description: AdapterDescription;
  /** The manifest's claims, to compare with what describe() says. */
  manifest: { name: string; version: string; framework: string; capabilities: string[]; keyAlgorithms: string[] };
  algorithm: KeyAlgorithm;
  /** The network the adapter is connected to. */
  network: NetworkConfig;
  /**
   * The chain read without the adapter (the target's `reader`), to check the adapter's answers
   * against; undefined when the target offers none (those checks are then skipped).
   */
  chain?: ChainReader;
  /** The chain operator's signer, from the target (`DevnetProvider.operator`): configures delivery. */
  operator?: Signer;
  /** The kit's sample token for this framework, from the target (`DevnetProvider.tokenSample`), built on first use. */
  tokenSample?: () => Promise<TokenSample>;
  admin: Actor;
  member: Actor;
  outsider: Actor;
  /** A fresh id no earlier run used: apps, request ids and keys never collide between runs on one chain. */
  unique(prefix: string): string;
  /** Creates an app administered by `admin` with `member` admitted. */
  newApp(overrides?: Partial<AppSpec>): Promise<AppInfo>;
  /** An actor on this framework with a provisioned account. */
  newActor(name: string): Promise<Actor>;
}

export async function createContext(
  adapter: Adapter,
  manifest: SuiteContext['manifest'],
  network: NetworkConfig,
  chain?: ChainReader,
  operator?: Signer,
  tokenSample?: (network?: NetworkConfig) => Promise<TokenSample>,
): Promise<SuiteContext> {
  const description = adapter.describe();
  const algorithm = description.keyAlgorithms[0];
  if (!algorithm) throw new Error('describe() lists no key algorithm');
  const run = randomBytes(4).toString('hex');
  let counter = 0;
  const unique = (prefix: string) => `${prefix}-${run}-${++counter}`;

  const newActor = async (name: string): Promise<Actor> => {
    const identity = BsnIdentity.generate();
    const key = identity.keyFor(description.framework, algorithm);
    const account = await adapter.identity.provision(key.signer);
    return { name, identity, signer: key.signer, account };
  };
  const [admin, member, outsider] = await Promise.all([newActor('admin'), newActor('member'), newActor('outsider')]);

  const newApp = (overrides: Partial<AppSpec> = {}) =>
    adapter.lifecycle.create(
      {
        appId: unique('app'),
        name: 'conformance app',
        framework: description.framework,
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'preset-kv' },
        members: [member.account],
        ...overrides,
      },
      admin.signer,
    );

  return {
    adapter,
    description,
    manifest,
    algorithm,
    network,
    ...(chain && { chain }),
    ...(operator && { operator }),
    ...(tokenSample && { tokenSample: once(() => tokenSample(network)) }),
    admin,
    member,
    outsider,
    unique,
    newApp,
    newActor,
  };
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

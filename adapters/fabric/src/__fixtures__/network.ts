// Test support: the adapter's own Fabric devnet serving its preset chaincode, and fresh
// secp256r1 signers.
import { afterAll, beforeAll, type TestContext } from 'vitest';
import { BsnIdentity, isBsnError, type BsnError, type AppInfo, type ChainAccount, type Signer } from '@bsn/contract';
import { testContext, unique } from '@bsn/contract/testing';
import { FabricDevnet, PRESET_CHAINCODE, presetDevnet, type StartedFabricDevnet } from '../devnets/index.js';
import type { FabricAdapter } from '../adapter.js';
import type { FabricNetworkConfig } from '../config.js';
import factory from '../index.js';

export type { StartedFabricDevnet };

export const CHAINCODE_DIR = PRESET_CHAINCODE.dir;
export const CHAINCODE_NAME = PRESET_CHAINCODE.name;
export { presetDevnet };

/** A BSN identity's Fabric key (secp256r1), as the city node would hold it. */
export function newSigner(): Signer {
  return BsnIdentity.generate().keyFor('fabric', 'secp256r1').signer;
}

export interface Actor {
  signer: Signer;
  account: ChainAccount;
}

export async function actor(adapter: FabricAdapter): Promise<Actor> {
  const signer = newSigner();
  return { signer, account: await adapter.identity.provision(signer) };
}

/**
 * Starts the devnet (by default the preset chaincode's), or returns the reason it cannot run
 * here, warning that `what` is skipped (the Fabric binaries are built by
 * `node scripts/bootstrap.mjs --for test`).
 */
async function startFabric(
  devnet: FabricDevnet = presetDevnet(),
  what = 'the Fabric network tests',
): Promise<{ devnet?: StartedFabricDevnet; skip?: string }> {
  const availability = await devnet.available();
  if (!availability.ok) {
    console.warn(`skipping ${what}: ${availability.reason}`);
    return { skip: availability.reason };
  }
  return { devnet: await devnet.start() };
}

export interface FabricNetworkOptions<A extends string> {
  /** The devnet to start (default: the preset chaincode only). */
  devnet?: () => FabricDevnet;
  /** Who is skipped, in the warning printed when the Fabric binaries are absent. */
  what?: string;
  /** Config overrides for the Org1 adapter. */
  overrides?: Partial<FabricNetworkConfig>;
  /** Also connect an adapter through Org2's gateway peer. */
  org2?: boolean;
  /** Actors to provision through the Org1 adapter, by name. */
  actors?: readonly A[];
}

export interface FabricNetwork<A extends string> {
  /** Why the network tests cannot run here, or undefined when the devnet is up. */
  readonly skipped: string | undefined;
  readonly devnet: StartedFabricDevnet;
  /** The adapter as Org1's client (with the overrides). */
  readonly org1: FabricAdapter;
  /** The adapter as Org2's client (only with `org2: true`). */
  readonly org2: FabricAdapter;
  readonly actors: Readonly<Record<A, Actor>>;
  /** Skips the test, with the reason, when the devnet is not running here. */
  skipUnlessRunning(ctx: TestContext): void;
}

/**
 * One devnet per test file: registers a `beforeAll` (180 s) that starts it - or records why it
 * cannot run here - connects the adapters and provisions the actors, and an `afterAll` that
 * closes the adapters and stops the devnet, whatever part of the setup got done. Setup of the
 * file's own goes in a `beforeAll` registered after this call (it runs after this one), which
 * returns early when `skipped` is set.
 */
export function useFabricNetwork<A extends string = never>(options: FabricNetworkOptions<A> = {}): FabricNetwork<A> {
  let skipped: string | undefined;
  let devnet: StartedFabricDevnet | undefined;
  let org1: FabricAdapter | undefined;
  let org2: FabricAdapter | undefined;
  let actors: Record<A, Actor> | undefined;

  beforeAll(async () => {
    const started = await startFabric(options.devnet?.(), options.what);
    if (!started.devnet) {
      skipped = started.skip;
      return;
    }
    devnet = started.devnet;
    org1 = await connect(devnet, options.overrides);
    if (options.org2) org2 = await connect(devnet, { organization: 'Org2MSP' });
    const names = options.actors ?? [];
    const made = await Promise.all(names.map(() => actor(org1!)));
    actors = Object.fromEntries(names.map((name, i) => [name, made[i]!])) as Record<A, Actor>;
  }, 180_000);

  afterAll(async () => {
    const errors: unknown[] = [];
    for (const stop of [() => org1?.close(), () => org2?.close(), () => devnet?.stop()]) {
      try {
        await stop();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) throw errors[0];
  });

  const up = <T>(value: T | undefined, what: string): T => {
    if (value !== undefined) return value;
    if (devnet) throw new Error(`no ${what}: not asked of useFabricNetwork, or its setup failed`);
    throw new Error(`no ${what}: the Fabric devnet is not running${skipped ? ` (${skipped})` : ''}`);
  };
  return {
    get skipped() {
      return skipped;
    },
    get devnet() {
      return up(devnet, 'devnet');
    },
    get org1() {
      return up(org1, 'Org1 adapter');
    },
    get org2() {
      return up(org2, 'Org2 adapter (org2: true)');
    },
    get actors() {
      return up(actors, 'actors');
    },
    skipUnlessRunning(ctx: TestContext): void {
      if (skipped) ctx.skip(skipped);
    },
  };
}

export async function connect(devnet: StartedFabricDevnet, overrides: Partial<FabricNetworkConfig> = {}): Promise<FabricAdapter> {
  return (await factory.connect({ ...devnet.network, ...overrides }, testContext())) as FabricAdapter;
}

export async function newApp(adapter: FabricAdapter, admin: Actor, members: ChainAccount[], prefix = 'app'): Promise<AppInfo> {
  return adapter.lifecycle.create(
    {
      appId: unique(prefix),
      name: 'test app',
      framework: 'fabric',
      mode: 'consortium',
      placement: 'shared',
      contract: { kind: 'preset-kv' },
      members,
    },
    admin.signer,
  );
}

/**
 * The ledger as one org's own peer sees it, through a connection of its own (that org's
 * client user, not the adapter): what a receipt is checked against.
 */
export async function peerLedger(devnet: StartedFabricDevnet, mspId: string) {
  const { createPrivateKey } = await import('node:crypto');
  const { connect: connectGateway, hash, signers } = await import('@hyperledger/fabric-gateway');
  const { common, peer: peerProtos } = await import('@hyperledger/fabric-protos');
  const { decodeBlock } = await import('../blocks.js');
  const { peerGrpcClient } = await import('../peer-grpc.js');
  const org = devnet.network.organizations.find((o) => o.mspId === mspId)!;
  const p = org.peers[0]!;
  const client = peerGrpcClient(p);
  const gateway = connectGateway({
    client,
    identity: { mspId, credentials: Buffer.from(org.user.certificate) },
    signer: signers.newPrivateKeySigner(createPrivateKey(org.user.privateKey)),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 10_000 }),
  });
  const qscc = gateway.getNetwork(devnet.network.channel).getContract('qscc');
  const channel = devnet.network.channel;
  return {
    /** The validation code the peer recorded for the transaction. */
    async validationCode(txId: string): Promise<number> {
      const bytes = await qscc.evaluateTransaction('GetTransactionByID', channel, txId);
      return peerProtos.ProcessedTransaction.deserializeBinary(bytes).getValidationcode();
    },
    async block(number: number) {
      return decodeBlock(await qscc.evaluateTransaction('GetBlockByNumber', channel, String(number)));
    },
    async height(): Promise<number> {
      return Number(common.BlockchainInfo.deserializeBinary(await qscc.evaluateTransaction('GetChainInfo', channel)).getHeight());
    },
    close(): void {
      gateway.close();
      client.close();
    },
  };
}

/** The typed error `promise` rejects with; anything else fails the test with what it was. */
export async function failure(promise: Promise<unknown>): Promise<BsnError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBsnError(error)) throw new Error(`expected a typed error, got ${error instanceof Error ? error.stack : String(error)}`);
  return error;
}

/** `CODE field` of the typed error `promise` rejects with, to compare as one string. */
export async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isBsnError(error) ? `${error.code}${error.field ? ` ${error.field}` : ''}` : `no typed error: ${String(error)}`;
}

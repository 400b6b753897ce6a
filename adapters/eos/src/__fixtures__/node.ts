/**
 * A real Leap node for this adapter's tests (the devnet, started once per test file), the
 * adapter connected to it, and actors with provisioned accounts. Where the node cannot run,
 * `skip` says why and the tests skip, printing it.
 */
import { BsnIdentity, type Adapter, type AppInfo, type ChainAccount, type KeyAlgorithm, type Signer } from '@bsn/contract';
import { testContext, unique } from '@bsn/contract/testing';
import factory from '../index.js';
import { NodeosDevnet, type StartedEosDevnet } from '../devnets/index.js';

export interface Actor {
  signer: Signer;
  account: ChainAccount;
}

export interface EosNode {
  devnet: StartedEosDevnet;
  adapter: Adapter;
  actor(algorithm?: KeyAlgorithm): Promise<Actor>;
  app(admin: Actor, members?: Actor[]): Promise<AppInfo>;
  stop(): Promise<void>;
}

/** Why the node cannot run here, or undefined. */
export async function whyNoNode(): Promise<string | undefined> {
  const availability = await new NodeosDevnet().available();
  return availability.ok ? undefined : availability.reason;
}

export async function startNode(): Promise<EosNode> {
  const devnet = await new NodeosDevnet().start();
  try {
    const adapter = await factory.connect(devnet.network, testContext());
    const actor = async (algorithm: KeyAlgorithm = 'secp256k1'): Promise<Actor> => {
      const signer = BsnIdentity.generate().keyFor('eos', algorithm).signer;
      return { signer, account: await adapter.identity.provision(signer) };
    };
    const app = (admin: Actor, members: Actor[] = []) =>
      adapter.lifecycle.create(
        {
          appId: unique('app'),
          name: 'test app',
          framework: 'eos',
          mode: 'consortium',
          placement: 'shared',
          contract: { kind: 'preset-kv' },
          members: members.map((m) => m.account),
        },
        admin.signer,
      );
    return {
      devnet,
      adapter,
      actor,
      app,
      async stop() {
        await adapter.close();
        await devnet.stop();
      },
    };
  } catch (error) {
    await devnet.stop();
    throw error;
  }
}

// Test support: a real Fabric devnet from the conformance package (by path: the adapter must
// not depend on the suite that certifies it) serving this adapter's preset chaincode, and
// fresh secp256r1 signers from core.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BsnIdentity, type AdapterContext, type AppInfo, type ChainAccount, type Signer } from '@bsn/core';
import { FabricDevnet, type StartedFabricDevnet } from '../../../../conformance/src/devnets/fabric/fabric-devnet.js';
import type { FabricAdapter } from '../adapter.js';
import type { FabricNetworkConfig } from '../config.js';
import factory from '../index.js';

export type { StartedFabricDevnet };

export const CHAINCODE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'chaincode');
export const CHAINCODE_NAME = 'bsn-preset-kv';

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

export const context: AdapterContext = {
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  dataDir: tmpdir(),
};

let counter = 0;
const run = randomBytes(3).toString('hex');
export const unique = (prefix: string): string => `${prefix}-${run}-${++counter}`;

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
 * Starts the devnet with the preset chaincode, or returns the reason it cannot run here (the
 * Fabric binaries are built by `node scripts/bootstrap.mjs --for test`).
 */
export async function startFabric(): Promise<{ devnet?: StartedFabricDevnet; skip?: string }> {
  const devnet = new FabricDevnet().withChaincode({ name: CHAINCODE_NAME, dir: CHAINCODE_DIR });
  const availability = await devnet.available();
  if (!availability.ok) {
    console.warn(`skipping the Fabric network tests: ${availability.reason}`);
    return { skip: availability.reason };
  }
  return { devnet: await devnet.start() };
}

export async function connect(devnet: StartedFabricDevnet, overrides: Partial<FabricNetworkConfig> = {}): Promise<FabricAdapter> {
  return (await factory.connect({ ...devnet.network, ...overrides }, context)) as FabricAdapter;
}

export async function newApp(adapter: FabricAdapter, admin: Actor, members: ChainAccount[], prefix = 'app'): Promise<AppInfo> {
  return adapter.lifecycle.create(
    { appId: unique(prefix), name: 'test app', framework: 'fabric', mode: 'consortium', placement: 'shared', contract: { kind: 'preset-kv' }, members },
    admin.signer,
  );
}

/**
 * The ledger as one org's own peer sees it, through a connection of its own (that org's
 * client user, not the adapter): what a receipt is checked against.
 */
export async function peerLedger(devnet: StartedFabricDevnet, mspId: string) {
  const { createPrivateKey } = await import('node:crypto');
  const grpc = await import('@grpc/grpc-js');
  const { connect: connectGateway, hash, signers } = await import('@hyperledger/fabric-gateway');
  const { common, peer: peerProtos } = await import('@hyperledger/fabric-protos');
  const { decodeBlock } = await import('../blocks.js');
  const org = devnet.network.organizations.find((o) => o.mspId === mspId)!;
  const p = org.peers[0]!;
  const client = new grpc.Client(p.endpoint, grpc.credentials.createSsl(Buffer.from(p.tlsRootCert)), {
    'grpc.ssl_target_name_override': p.hostOverride, 'grpc.max_receive_message_length': 100 * 1024 * 1024,
  });
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

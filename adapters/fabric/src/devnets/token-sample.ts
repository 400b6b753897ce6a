/**
 * The kit's sample token on Fabric (samples/token: Node.js chaincode packages, v1 and v2), as the
 * conformance suite deploys, calls and upgrades it; read back on the chain by asking the peer
 * itself — its `_lifecycle` for the definition serving the app, the chaincode for balances —
 * as the org's client user, without the adapter.
 */
import { createPrivateKey, createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers } from '@hyperledger/fabric-gateway';
import { peer as peerProtos } from '@hyperledger/fabric-protos';
import type { FabricNodeChaincodePackage, NetworkConfig, PackageSource, TokenChainReader, TokenSample } from '@bsn/contract';
import type { FabricNetworkConfig } from './network-config.js';

const SAMPLES = fileURLToPath(new URL('../../samples/token/', import.meta.url));
const decoder = new TextDecoder();

/** Every file of a sample version folder as a package's `files` (relative path → base64). */
function packageOf(version: 'v1' | 'v2'): FabricNodeChaincodePackage {
  const root = join(SAMPLES, version);
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(root, path)] = readFileSync(path).toString('base64');
    }
  };
  walk(root);
  return { format: 'fabric-chaincode-node', files };
}

/** The app's chaincode name as the adapter derives it (one chaincode per app; written here, not imported from the adapter). */
const chaincodeOf = (appId: string) => `app-${createHash('sha256').update(appId).digest('hex').slice(0, 24)}`;
/** A dedicated app's channel as the adapter names it (channels/names.ts). */
const dedicatedOf = (appId: string) => `app-${createHash('sha256').update(appId, 'utf8').digest('hex').slice(0, 40)}`;

const missing = (error: unknown) =>
  /namespace \S+ is not defined|channel .* not found|cannot find channel|not found/i.test(
    `${String(error)} ${JSON.stringify((error as { details?: unknown }).details ?? '')}`,
  );

function reader(config: NetworkConfig): TokenChainReader {
  const network = config as unknown as FabricNetworkConfig;
  const org = network.organizations[0]!;
  const peer = org.peers[0]!;
  const client = new grpc.Client(peer.endpoint, grpc.credentials.createSsl(Buffer.from(peer.tlsRootCert)), {
    ...(peer.hostOverride && { 'grpc.ssl_target_name_override': peer.hostOverride }),
  });
  const gateway = connect({
    client,
    identity: { mspId: org.mspId, credentials: Buffer.from(org.user.certificate) },
    signer: signers.newPrivateKeySigner(createPrivateKey(org.user.privateKey)),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 15_000 }),
  });
  /** The committed sequence of the app's chaincode on `channel`, undefined when none. */
  const sequenceOn = async (channel: string, appId: string): Promise<number | undefined> => {
    const args = new peerProtos.lifecycle.QueryChaincodeDefinitionArgs();
    args.setName(chaincodeOf(appId));
    try {
      const bytes = await gateway
        .getNetwork(channel)
        .getContract('_lifecycle')
        .evaluateTransaction('QueryChaincodeDefinition', args.serializeBinary());
      return Number(peerProtos.lifecycle.QueryChaincodeDefinitionResult.deserializeBinary(bytes).getSequence());
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
  };
  /** Where the app's chaincode is committed: the shared channel or the app's dedicated one. */
  const find = async (appId: string): Promise<{ channel: string; sequence: number } | undefined> => {
    for (const channel of [network.channel, dedicatedOf(appId)]) {
      const sequence = await sequenceOn(channel, appId).catch((error: unknown) => {
        if (channel !== network.channel) return undefined; // a channel this peer never joined
        throw error;
      });
      if (sequence !== undefined) return { channel, sequence };
    }
    return undefined;
  };
  return {
    source: `${org.mspId}'s peer ${peer.endpoint} (_lifecycle and the app's chaincode, as ${org.mspId}'s client user)`,
    async balance(app, account) {
      const where = await find(app.appId);
      if (!where) throw new Error(`no chaincode of app ${app.appId} is committed on ${network.channel} or its dedicated channel`);
      const result = await gateway
        .getNetwork(where.channel)
        .getContract(chaincodeOf(app.appId))
        .evaluateTransaction('balanceOf', account.id);
      return BigInt(decoder.decode(result));
    },
    async code(appId) {
      const where = await find(appId);
      return where && `${where.channel}/${chaincodeOf(appId)} sequence ${where.sequence}`;
    },
    async close() {
      gateway.close();
      client.close();
    },
  };
}

export async function fabricTokenSample(): Promise<TokenSample> {
  const v1 = packageOf('v1');
  const v2 = packageOf('v2');
  const failing: FabricNodeChaincodePackage = {
    ...v2,
    files: { ...v2.files, 'index.js': Buffer.from("throw new Error('sample v2 that cannot start');\n").toString('base64') },
  };
  // A package.json without a start script is no chaincode: refused by the kit.
  const manifest = JSON.parse(Buffer.from(v1.files['package.json']!, 'base64').toString('utf8')) as Record<string, unknown>;
  const bad: FabricNodeChaincodePackage = {
    ...v1,
    files: { ...v1.files, 'package.json': Buffer.from(JSON.stringify({ ...manifest, scripts: {} })).toString('base64') },
  };
  const source = (pkg: FabricNodeChaincodePackage, call?: PackageSource['call']): PackageSource => ({
    kind: 'package',
    package: pkg,
    ...(call && { call }),
  });
  return {
    v1: (owner) => source(v1, { method: 'initialize', args: [owner.id] }),
    // Fabric commits a definition without calling anything: version 2 needs no migration.
    v2: () => source(v2),
    failingV2: () => source(failing),
    badPackage: () => ({ contract: source(bad), field: '/contract/package/files/package.json' }),
    mint: (to, amount) => ({ method: 'mint', args: [to.id, String(amount)] }),
    transfer: (to, amount) => ({ method: 'transfer', args: [to.id, String(amount)] }),
    burn: (amount) => ({ method: 'burn', args: [String(amount)] }),
    balance: (who) => ({ method: 'balanceOf', args: [who.id] }),
    balanceOf: (result) => BigInt(decoder.decode(result)),
    transferEvent: 'Transfer',
    transferOf(payload) {
      const e = JSON.parse(decoder.decode(payload)) as { from: string; to: string; amount: string };
      return { from: e.from, to: e.to, value: BigInt(e.amount) };
    },
    reader,
  };
}

import { createServer } from 'node:net';
import { join } from 'node:path';
import { InvalidInputError, UnavailableError, isBsnError, type FabricNodeChaincodePackage, type Logger } from '@bsn/contract';
import { OrgAdminGateway, untilReady, NotYet } from '../channels/chaincode-definition.js';
import { PeerClient } from '../channels/peer-client.js';
import type { ProvisioningConfig } from '../channels/provisioning-config.js';
import { signingIdentity } from '../channels/signing-identity.js';
import { FRAMEWORK } from '../describe.js';
import type { ChaincodeLimits } from './chaincode-confinement.js';
import { ChaincodeService } from './chaincode-service.js';
import { approve, ccaasPackageOf, commit, definitionOf, install, type Definition, type DefinitionOnChain } from './lifecycle-ops.js';
import { versionFolder, writePackage } from './package-folder.js';

/** A chaincode server started and checked, not yet known to any peer. */
export interface StartedVersion {
  sequence: number;
  packageId: string;
  packageBytes: Uint8Array;
  service: ChaincodeService;
}

export interface DeploymentDeps {
  dataDir: string;
  limits: ChaincodeLimits;
  logger: Logger;
  /** How long a server must stay up after it listens to count as started. */
  settleMs: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Step one of a deploy or upgrade, before any peer hears of it: the package written into its
 * version folder and its server started confined, and still running a moment after it
 * listens. A chaincode that throws at start is refused here (INVALID_INPUT at
 * /contract/package, with the server's own words), and nothing reached the chain.
 */
export async function startVersion(
  d: DeploymentDeps,
  chaincode: string,
  sequence: number,
  pkg: FabricNodeChaincodePackage,
): Promise<StartedVersion> {
  const dir = versionFolder(d.dataDir, chaincode, sequence);
  writePackage(pkg, dir);
  const address = `127.0.0.1:${await freePort()}`;
  const { bytes, packageId } = ccaasPackageOf(`${chaincode}_${sequence}`, address);
  const service = new ChaincodeService({
    name: `${chaincode} v${sequence}`,
    packageDir: dir,
    address,
    packageId,
    limits: d.limits,
    logFile: join(dir, '..', `v${sequence}.log`),
    logger: d.logger,
  });
  try {
    await service.start();
    await service.settled(d.settleMs);
  } catch (error) {
    await service.stop();
    if (isBsnError(error)) throw error; // the node cannot run chaincode at all: not the package's fault
    if ((error as { code?: unknown }).code === 'ERR_ACCESS_DENIED') {
      throw new UnavailableError(
        `this plugin's confinement refused what starting a chaincode server needs (${(error as Error).message}): not the package's fault`,
        { stage: 'validate', cause: error, detail: { framework: FRAMEWORK } },
      );
    }
    throw new InvalidInputError(`/contract/package: the chaincode does not start: ${(error as Error).message}`, {
      field: '/contract/package',
      cause: error,
    });
  }
  return { sequence, packageId, packageBytes: bytes, service };
}

/**
 * Step two: `_lifecycle` on every org, as its admin — install, approve at `version.sequence`,
 * then one commit endorsed by all — and wait until every org's peer has the definition and
 * reaches the chaincode. Until the commit, the definition before (if any) is what serves.
 */
export async function commitVersion(o: {
  network: ProvisioningConfig;
  channel: string;
  name: string;
  version: StartedVersion;
  /** The current definition (an upgrade keeps its plugins and endorsement policy), or the preset's for a first deploy. */
  base: DefinitionOnChain;
  deadline: number;
}): Promise<void> {
  const orgs = o.network.orgs.map((org) => ({
    org,
    identity: signingIdentity(org.mspId, org.admin),
    peer: new PeerClient(org.peer),
    admin: new OrgAdminGateway(org),
  }));
  const definition: Definition = { ...o.base, name: o.name, version: String(o.version.sequence), sequence: o.version.sequence };
  try {
    // Org by org, as each org's admin would: install on its peer, then approve for the org.
    for (const org of orgs) {
      await install(org.peer, org.identity, o.version.packageBytes, o.deadline);
      await approve(org.admin, o.channel, definition, o.version.packageId, o.deadline);
    }
    await commit(
      orgs[0]!.admin,
      o.channel,
      definition,
      orgs.map((x) => x.org.mspId),
      o.deadline,
    );
    await Promise.all(
      orgs.map((org) =>
        untilReady(`waiting for ${o.name} sequence ${o.version.sequence} on ${org.org.mspId}'s peer`, o.deadline, async () => {
          const seen = await definitionOf(org.admin.gateway, o.channel, o.name);
          if (!seen || seen.sequence < o.version.sequence) throw new NotYet(`${org.org.mspId}'s peer has not committed it yet`);
          await org.admin.gateway.getNetwork(o.channel).getContract(o.name).evaluateTransaction('org.hyperledger.fabric:GetMetadata');
        }),
      ),
    );
  } finally {
    for (const org of orgs) {
      org.peer.close();
      org.admin.close();
    }
  }
}

/** The definition a first deploy copies its plugins and endorsement policy from: the preset chaincode's on the shared channel. */
export async function baseDefinition(admin: OrgAdminGateway, channel: string, preset: string): Promise<DefinitionOnChain> {
  const found = await definitionOf(admin.gateway, channel, preset);
  if (!found)
    throw new UnavailableError(`the preset chaincode ${preset} has no committed definition on ${channel} to copy`, {
      stage: 'query',
      detail: { framework: FRAMEWORK },
    });
  return found;
}

/**
 * Fabric's `_lifecycle` for an app's own chaincode, as each org's admin does it: install the
 * package on the org's peer, approve the definition for the org (endorsed by its own peer),
 * commit it endorsed by every org; an upgrade is the same at sequence + 1. The serving
 * definition changes only at the commit: approvals of a sequence that is never committed
 * change nothing that runs (and an org may approve that sequence again with other content).
 */
import { createHash } from 'node:crypto';
import { peer as peerProtos } from '@hyperledger/fabric-protos';
import type { Gateway, Status } from '@hyperledger/fabric-gateway';
import { RejectedByChainError } from '@bsn/contract';
import { FRAMEWORK } from '../describe.js';
import { toBsnError, validationCodeName } from '../errors.js';
import { wordsOf } from '../peer-messages.js';
import { lifecycleTransact, untilReady, type OrgAdminGateway } from '../channels/chaincode-definition.js';
import type { PeerClient } from '../channels/peer-client.js';
import type { SigningIdentity } from '../channels/signing-identity.js';
import { tarGz } from '../devnets/tar.js';

const { lifecycle } = peerProtos;
const LIFECYCLE = '_lifecycle';

/** What a committed definition says, read from the peer's `_lifecycle`. */
export interface DefinitionOnChain {
  sequence: number;
  version: string;
  endorsementPlugin: string;
  validationPlugin: string;
  validationParameter: Uint8Array;
}

/** The definition an upgrade approves and commits. */
export interface Definition extends DefinitionOnChain {
  name: string;
}

/**
 * A chaincode-as-a-service package: metadata.json `{type: ccaas, label}` and code.tar.gz with
 * connection.json naming where the server listens. Its id is `label:sha256(package)`.
 */
export function ccaasPackageOf(label: string, address: string): { bytes: Buffer; packageId: string } {
  const connection = { address, dial_timeout: '10s', tls_required: false };
  const code = tarGz([{ name: 'connection.json', content: JSON.stringify(connection, null, 2) }]);
  const bytes = tarGz([
    { name: 'metadata.json', content: JSON.stringify({ type: 'ccaas', label }) },
    { name: 'code.tar.gz', content: code },
  ]);
  return { bytes, packageId: `${label}:${createHash('sha256').update(bytes).digest('hex')}` };
}

/** `InstallChaincode` on the org's peer as its admin; a package installed already is success. */
export async function install(peer: PeerClient, admin: SigningIdentity, bytes: Uint8Array, deadline: number): Promise<void> {
  const args = new lifecycle.InstallChaincodeArgs();
  args.setChaincodeInstallPackage(bytes);
  try {
    await peer.invoke(admin, LIFECYCLE, '', ['InstallChaincode', args.serializeBinary()], deadline);
  } catch (error) {
    if (/already successfully installed/i.test(wordsOf(error))) return;
    throw toBsnError(error, { stage: 'endorse', what: `installing a chaincode package on ${admin.mspId}'s peer` });
  }
}

/** The committed definition of `name` on `channel`, or undefined when there is none. */
export async function definitionOf(gateway: Gateway, channel: string, name: string): Promise<DefinitionOnChain | undefined> {
  const args = new lifecycle.QueryChaincodeDefinitionArgs();
  args.setName(name);
  let bytes: Uint8Array;
  try {
    bytes = await gateway
      .getNetwork(channel)
      .getContract(LIFECYCLE)
      .evaluateTransaction('QueryChaincodeDefinition', args.serializeBinary());
  } catch (error) {
    if (/namespace \S+ is not defined/i.test(wordsOf(error))) return undefined;
    throw toBsnError(error, { stage: 'query', what: `reading the definition of ${name} on ${channel}` });
  }
  const r = lifecycle.QueryChaincodeDefinitionResult.deserializeBinary(bytes);
  return {
    sequence: Number(r.getSequence()),
    version: r.getVersion(),
    endorsementPlugin: r.getEndorsementPlugin(),
    validationPlugin: r.getValidationPlugin(),
    validationParameter: r.getValidationParameter_asU8(),
  };
}

type DefinitionArgs =
  InstanceType<typeof lifecycle.ApproveChaincodeDefinitionForMyOrgArgs> | InstanceType<typeof lifecycle.CommitChaincodeDefinitionArgs>;

function setDefinition(args: DefinitionArgs, d: Definition): void {
  args.setSequence(d.sequence);
  args.setName(d.name);
  args.setVersion(d.version);
  args.setEndorsementPlugin(d.endorsementPlugin);
  args.setValidationPlugin(d.validationPlugin);
  args.setValidationParameter(d.validationParameter);
  args.setInitRequired(false);
}

/** A `_lifecycle` transaction the peers invalidated, typed with the block it landed in. */
function invalidated(fn: string, channel: string) {
  return (status: Status): Error =>
    new RejectedByChainError(`${fn} of ${channel}: transaction ${status.transactionId} invalidated (${validationCodeName(status.code)})`, {
      stage: 'commit',
      txId: status.transactionId,
      detail: { framework: FRAMEWORK, code: validationCodeName(status.code), data: { block: Number(status.blockNumber) } },
    });
}

/** `ApproveChaincodeDefinitionForMyOrg` for the org of `org` (its admin, its own peer endorsing), naming its installed package. */
export async function approve(org: OrgAdminGateway, channel: string, d: Definition, packageId: string, deadline: number): Promise<void> {
  const args = new lifecycle.ApproveChaincodeDefinitionForMyOrgArgs();
  setDefinition(args, d);
  const local = new lifecycle.ChaincodeSource.Local();
  local.setPackageId(packageId);
  const source = new lifecycle.ChaincodeSource();
  source.setLocalPackage(local);
  args.setSource(source);
  const what = `approving ${d.name} sequence ${d.sequence} on ${channel} for ${org.org.mspId}`;
  try {
    await untilReady(what, deadline, () =>
      lifecycleTransact(
        org.gateway,
        channel,
        'ApproveChaincodeDefinitionForMyOrg',
        args.serializeBinary(),
        [org.org.mspId],
        deadline,
        invalidated('ApproveChaincodeDefinitionForMyOrg', channel),
      ),
    );
  } catch (error) {
    throw toBsnError(error, { stage: 'endorse', what });
  }
}

/** `CommitChaincodeDefinition`, endorsed by every org's peer. */
export async function commit(org: OrgAdminGateway, channel: string, d: Definition, orgs: string[], deadline: number): Promise<void> {
  const args = new lifecycle.CommitChaincodeDefinitionArgs();
  setDefinition(args, d);
  const what = `committing ${d.name} sequence ${d.sequence} on ${channel}`;
  try {
    await untilReady(what, deadline, () =>
      lifecycleTransact(
        org.gateway,
        channel,
        'CommitChaincodeDefinition',
        args.serializeBinary(),
        orgs,
        deadline,
        invalidated('CommitChaincodeDefinition', channel),
      ),
    );
  } catch (error) {
    throw toBsnError(error, { stage: 'endorse', what });
  }
}

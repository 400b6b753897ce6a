import { createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, type Gateway, type Status } from '@hyperledger/fabric-gateway';
import { peer as peerProtos } from '@hyperledger/fabric-protos';
import { TimeoutError, UnavailableError, type BsnError } from '@bsn/contract';
import { FRAMEWORK } from '../describe.js';
import { toBsnError, validationCodeName } from '../errors.js';
import { peerGrpcClient } from '../peer-grpc.js';
import { channelStarting, wordsOf } from '../peer-messages.js';
import { serviceSigner } from '../signer-bridge.js';
import type { OrgProvisioning } from './provisioning-config.js';

const { lifecycle } = peerProtos;
const LIFECYCLE = '_lifecycle';
/** Approving the same definition again: Fabric says the content is unchanged. */
const SAME_APPROVAL = /unchanged content/i;
/** Committing a sequence that is committed already. */
const ALREADY_COMMITTED = /new definition must be sequence|already (been )?defined/i;

/** A condition `untilReady` waits for (e.g. a definition not yet visible on a peer). */
export class NotYet extends Error {}

/** The definition the preset chaincode has on the shared channel; the new channel gets the same one. */
export interface ChaincodeDefinition {
  name: string;
  version: string;
  endorsementPlugin: string;
  validationPlugin: string;
  /** Serialized `ApplicationPolicy`: the endorsement policy exactly as the shared channel holds it. */
  validationParameter: Uint8Array;
  initRequired: boolean;
}

/** An org admin's Gateway over that org's own peer: approvals must be endorsed by the approving org's peer. */
export class OrgAdminGateway {
  private readonly client: grpc.Client;
  readonly gateway: Gateway;

  constructor(readonly org: OrgProvisioning) {
    const { peer } = org;
    this.client = peerGrpcClient(peer);
    const key = serviceSigner(createPrivateKey(org.admin.privateKey));
    this.gateway = connect({
      client: this.client,
      identity: { mspId: org.mspId, credentials: Buffer.from(org.admin.certificate) },
      signer: key.signer,
      hash: key.hash,
    });
  }

  close(): void {
    this.gateway.close();
    this.client.close();
  }
}

function notReady(error: unknown): boolean {
  if (error instanceof NotYet) return true;
  const text = wordsOf(error);
  // Answers that are final whatever else the peer said alongside them.
  if (SAME_APPROVAL.test(text) || ALREADY_COMMITTED.test(text) || /could not find chaincode with package id/i.test(text)) return false;
  return channelStarting(text);
}

/** Runs `step` until it succeeds, fails for a reason other than a channel still settling, or the deadline passes. */
export async function untilReady<T>(what: string, deadline: number, step: () => Promise<T>): Promise<T> {
  // Short polls: a new channel's Raft leader is usually elected within about two seconds.
  for (let wait = 150; ; wait = Math.min(Math.round(wait * 1.5), 600)) {
    try {
      return await step();
    } catch (error) {
      if (!notReady(error) || Date.now() + wait >= deadline) {
        if (notReady(error))
          throw new TimeoutError(`${what}: the new channel did not become ready in time: ${wordsOf(error)}`, {
            stage: 'endorse',
            cause: error,
            detail: { framework: FRAMEWORK, message: wordsOf(error) },
          });
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** The committed definition of `name` on `channel`, or undefined when there is none. */
export async function committedDefinition(gateway: Gateway, channel: string, name: string): Promise<ChaincodeDefinition | undefined> {
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
    throw error;
  }
  const r = lifecycle.QueryChaincodeDefinitionResult.deserializeBinary(bytes);
  return {
    name,
    version: r.getVersion(),
    endorsementPlugin: r.getEndorsementPlugin(),
    validationPlugin: r.getValidationPlugin(),
    validationParameter: r.getValidationParameter_asU8(),
    initRequired: r.getInitRequired(),
  };
}

/**
 * One `_lifecycle` transaction (approve or commit) endorsed by `endorsers`, waited for to commit;
 * `invalidated` makes the error for one the peers invalidated (default: a plain Error naming the code).
 */
export async function lifecycleTransact(
  gateway: Gateway,
  channel: string,
  fn: string,
  arg: Uint8Array,
  endorsers: string[],
  deadline: number,
  invalidated: (status: Status) => Error = (status) =>
    new Error(`${fn} on ${channel}: transaction ${status.transactionId} invalidated (${validationCodeName(status.code)})`),
): Promise<void> {
  const proposal = gateway
    .getNetwork(channel)
    .getContract(LIFECYCLE)
    .newProposal(fn, { arguments: [arg], endorsingOrganizations: endorsers });
  const endorsed = await proposal.endorse({ deadline });
  const submitted = await endorsed.submit({ deadline });
  const status = await submitted.getStatus({ deadline });
  if (!status.successful) throw invalidated(status);
}

function typed(error: unknown, what: string): BsnError {
  return toBsnError(error, { stage: 'endorse', what });
}

/** The fields approve and commit args share (two protobuf messages with the same setters), at sequence 1. */
function setDefinition(
  args:
    InstanceType<typeof lifecycle.ApproveChaincodeDefinitionForMyOrgArgs> | InstanceType<typeof lifecycle.CommitChaincodeDefinitionArgs>,
  definition: ChaincodeDefinition,
): void {
  args.setSequence(1);
  args.setName(definition.name);
  args.setVersion(definition.version);
  args.setEndorsementPlugin(definition.endorsementPlugin);
  args.setValidationPlugin(definition.validationPlugin);
  args.setValidationParameter(definition.validationParameter);
  args.setInitRequired(definition.initRequired);
}

/**
 * `ApproveChaincodeDefinitionForMyOrg` for one org (its admin, endorsed by its own peer) at
 * sequence 1 on `channel` with the preset package installed on that peer. Approving the
 * same definition again is success.
 */
export async function approve(
  org: OrgAdminGateway,
  channel: string,
  definition: ChaincodeDefinition,
  deadline: number,
): Promise<'approved' | 'already'> {
  const args = new lifecycle.ApproveChaincodeDefinitionForMyOrgArgs();
  setDefinition(args, definition);
  const local = new lifecycle.ChaincodeSource.Local();
  local.setPackageId(org.org.packageId);
  const source = new lifecycle.ChaincodeSource();
  source.setLocalPackage(local);
  args.setSource(source);
  const what = `approving ${definition.name} on ${channel} for ${org.org.mspId}`;
  try {
    await untilReady(what, deadline, () =>
      lifecycleTransact(org.gateway, channel, 'ApproveChaincodeDefinitionForMyOrg', args.serializeBinary(), [org.org.mspId], deadline),
    );
    return 'approved';
  } catch (error) {
    if (SAME_APPROVAL.test(wordsOf(error)) || ALREADY_COMMITTED.test(wordsOf(error))) return 'already';
    throw typed(error, what);
  }
}

/** `CommitChaincodeDefinition` at sequence 1, endorsed by every org's peer. A definition committed already is success. */
export async function commit(
  org: OrgAdminGateway,
  channel: string,
  definition: ChaincodeDefinition,
  orgs: string[],
  deadline: number,
): Promise<'committed' | 'already'> {
  const args = new lifecycle.CommitChaincodeDefinitionArgs();
  setDefinition(args, definition);
  const what = `committing ${definition.name} on ${channel}`;
  try {
    await untilReady(what, deadline, () =>
      lifecycleTransact(org.gateway, channel, 'CommitChaincodeDefinition', args.serializeBinary(), orgs, deadline),
    );
    return 'committed';
  } catch (error) {
    if (ALREADY_COMMITTED.test(wordsOf(error))) return 'already';
    throw typed(error, what);
  }
}

/**
 * Refuses, naming the config field, a package the org's peer has not installed: approving it
 * would commit a definition that org's peer cannot run, and Fabric does not let one org
 * re-approve the committed sequence with another package (the re-approval is invalidated
 * for want of the other orgs' endorsements), so that could only be mended by a new sequence.
 */
export async function checkInstalled(org: OrgAdminGateway, anyChannel: string, deadline: number): Promise<void> {
  const args = new lifecycle.QueryInstalledChaincodeArgs();
  args.setPackageId(org.org.packageId);
  try {
    await untilReady(`looking up ${org.org.packageId} on ${org.org.mspId}'s peer`, deadline, () =>
      org.gateway.getNetwork(anyChannel).getContract(LIFECYCLE).evaluateTransaction('QueryInstalledChaincode', args.serializeBinary()),
    );
  } catch (error) {
    const field = org.org.packageIdField;
    throw new UnavailableError(
      `network config ${field}: package ${org.org.packageId} is not installed on ${org.org.mspId}'s peer: ${wordsOf(error)}`,
      {
        stage: 'endorse',
        field,
        cause: error,
        detail: { framework: FRAMEWORK, message: wordsOf(error), data: { configField: field, mspId: org.org.mspId } },
      },
    );
  }
}

/** The package `org` approved at sequence 1 on `channel`, or undefined when it approved none. */
export async function approvedPackage(org: OrgAdminGateway, channel: string, name: string): Promise<string | undefined> {
  const args = new lifecycle.QueryApprovedChaincodeDefinitionArgs();
  args.setName(name);
  args.setSequence(1);
  try {
    const bytes = await org.gateway
      .getNetwork(channel)
      .getContract(LIFECYCLE)
      .evaluateTransaction('QueryApprovedChaincodeDefinition', args.serializeBinary());
    return (
      lifecycle.QueryApprovedChaincodeDefinitionResult.deserializeBinary(bytes).getSource()?.getLocalPackage()?.getPackageId() || undefined
    );
  } catch (error) {
    if (/could not fetch approved|not found|does not exist/i.test(wordsOf(error))) return undefined;
    throw typed(error, `reading ${org.org.mspId}'s approval of ${name} on ${channel}`);
  }
}

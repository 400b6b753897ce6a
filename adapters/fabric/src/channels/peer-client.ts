import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { createRequire } from 'node:module';
import { common, peer as peerProtos } from '@hyperledger/fabric-protos';
import { UnavailableError, TimeoutError } from '@bsn/contract';
import { FRAMEWORK } from '../describe.js';
import type { FabricPeerConfig } from '../config.js';
import { peerGrpcClient } from '../peer-grpc.js';
import { sha256 } from '../sha256.js';
import type { SigningIdentity } from './signing-identity.js';

// google-protobuf ships no types; its Timestamp is what ChannelHeader.setTimestamp takes.
type TimestampArg = Parameters<common.ChannelHeader['setTimestamp']>[0];
const { Timestamp } = createRequire(import.meta.url)('google-protobuf/google/protobuf/timestamp_pb.js') as {
  Timestamp: { fromDate(date: Date): TimestampArg };
};

const PROCESS_PROPOSAL = '/protos.Endorser/ProcessProposal';

/** A peer answered a proposal with a non-200 status: its message is Fabric's own words. */
export class ProposalRefused extends Error {
  constructor(
    readonly status: number,
    readonly peerMessage: string,
    readonly endpoint: string,
  ) {
    super(`peer ${endpoint} answered ${status}: ${peerMessage}`);
  }
}

/**
 * A gRPC channel to one peer, for proposals the Gateway service cannot carry: system
 * chaincode calls that name no channel (cscc `JoinChain`, `GetChannels`) or a channel the
 * gateway peer is not on yet. Each proposal is signed by the identity given (an org admin),
 * which is what the peer's own ACL checks (cscc join: the peer's local MSP admins).
 */
export class PeerClient {
  private readonly client: grpc.Client;

  constructor(readonly target: FabricPeerConfig) {
    this.client = peerGrpcClient(target);
  }

  /** Invokes `chaincode` with `args` (function name first) on `channel` ('' for none); its response payload. */
  async invoke(
    identity: SigningIdentity,
    chaincode: string,
    channel: string,
    args: Array<string | Uint8Array>,
    deadline: number,
  ): Promise<Uint8Array> {
    const signed = await signedProposal(identity, chaincode, channel, args);
    const response = await new Promise<peerProtos.ProposalResponse>((resolve, reject) => {
      this.client.makeUnaryRequest(
        PROCESS_PROPOSAL,
        (m: peerProtos.SignedProposal) => Buffer.from(m.serializeBinary()),
        (b: Buffer) => peerProtos.ProposalResponse.deserializeBinary(b),
        signed,
        { deadline },
        (error, value) => (error ? reject(error) : resolve(value!)),
      );
    }).catch((error: grpc.ServiceError) => {
      const data = { peer: this.target.endpoint, grpcStatus: error.code, chaincode, fn: String(args[0]) };
      if (error.code === grpc.status.DEADLINE_EXCEEDED)
        throw new TimeoutError(`${chaincode} ${String(args[0])} on ${this.target.endpoint}: no answer in time`, {
          stage: 'endorse',
          cause: error,
          detail: { framework: FRAMEWORK, code: error.code, message: error.details, data },
        });
      throw new UnavailableError(`${chaincode} ${String(args[0])} on ${this.target.endpoint}: ${error.details || error.message}`, {
        stage: 'endorse',
        cause: error,
        detail: { framework: FRAMEWORK, code: error.code, message: error.details, data },
      });
    });
    const status = response.getResponse()?.getStatus() ?? 0;
    if (status < 200 || status >= 400) throw new ProposalRefused(status, response.getResponse()?.getMessage() ?? '', this.target.endpoint);
    return response.getResponse()!.getPayload_asU8();
  }

  close(): void {
    this.client.close();
  }
}

async function signedProposal(
  identity: SigningIdentity,
  chaincode: string,
  channel: string,
  args: Array<string | Uint8Array>,
): Promise<peerProtos.SignedProposal> {
  const nonce = randomBytes(24);
  const txId = sha256(nonce, identity.creator).toString('hex');
  const chaincodeId = new peerProtos.ChaincodeID();
  chaincodeId.setName(chaincode);
  const extension = new peerProtos.ChaincodeHeaderExtension();
  extension.setChaincodeId(chaincodeId);
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setChannelId(channel);
  channelHeader.setTxId(txId);
  channelHeader.setTimestamp(Timestamp.fromDate(new Date()));
  channelHeader.setExtension$(extension.serializeBinary());
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(identity.creator);
  signatureHeader.setNonce(nonce);
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());
  const input = new peerProtos.ChaincodeInput();
  input.setArgsList(args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'utf8') : a)));
  const spec = new peerProtos.ChaincodeSpec();
  spec.setType(peerProtos.ChaincodeSpec.Type.GOLANG);
  spec.setChaincodeId(chaincodeId);
  spec.setInput(input);
  const invocation = new peerProtos.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);
  const payload = new peerProtos.ChaincodeProposalPayload();
  payload.setInput(invocation.serializeBinary());
  const proposal = new peerProtos.Proposal();
  proposal.setHeader(header.serializeBinary());
  proposal.setPayload(payload.serializeBinary());
  const bytes = proposal.serializeBinary();
  const signed = new peerProtos.SignedProposal();
  signed.setProposalBytes(bytes);
  signed.setSignature(await identity.sign(bytes));
  return signed;
}

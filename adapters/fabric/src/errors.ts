import { status as GrpcStatus } from '@grpc/grpc-js';
import { CommitError, CommitStatusError, EndorseError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';
// 1.11.0 exports SubmitError from its root as a type only; the class the client throws is this one.
import { SubmitError } from '@hyperledger/fabric-gateway/dist/submiterror.js';
import {
  ERROR_CODES,
  RejectedByChainError,
  TimeoutError,
  UnauthorizedError,
  UnavailableError,
  errorMapping,
  errorOfCode,
  unexpectedError,
  type BsnErrorOptions,
  type ErrorCode,
  type FailureStage,
  type FrameworkDetail,
} from '@bsn/contract';
import { FRAMEWORK } from './describe.js';
import { detailsOf, peerDeadline, peersUnreachable, wordsOf } from './peer-messages.js';

/** What the preset chaincode said: `[BSN:<CODE>] <message> <json>?` (chaincode/lib/errors.js). */
export interface ChaincodeRefusal {
  code: ErrorCode;
  message: string;
  data?: Record<string, unknown>;
  /** The peer's whole message, e.g. `chaincode response 500, [BSN:…] …`. */
  raw: string;
}

const REFUSAL = /\[BSN:([A-Z_]+)\] ([\s\S]*)$/;
const VALIDATION_CODE_NAMES = Object.fromEntries(Object.entries(StatusCode).map(([name, code]) => [code, name])) as Record<number, string>;

export function validationCodeName(code: number): string {
  return VALIDATION_CODE_NAMES[code] ?? `UNKNOWN_${code}`;
}

export function grpcCodeName(code: number): string {
  return Object.entries(GrpcStatus).find(([, v]) => v === code)?.[0] ?? String(code);
}

export function parseRefusal(text: string): ChaincodeRefusal | undefined {
  const m = REFUSAL.exec(text);
  if (!m) return undefined;
  const code = m[1] as ErrorCode;
  let message = m[2]!;
  let data: Record<string, unknown> | undefined;
  // The message may itself hold " {" (inside a quoted key), so try each candidate for the JSON tail.
  for (let i = message.indexOf(' {'); i >= 0; i = message.indexOf(' {', i + 1)) {
    try {
      const parsed = JSON.parse(message.slice(i + 1)) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        data = parsed as Record<string, unknown>;
        message = message.slice(0, i);
        break;
      }
    } catch {
      // not the tail
    }
  }
  return { code, message, ...(data && { data }), raw: text };
}

/** The chaincode's own refusal, from the peers' details or the error message. */
export function refusalIn(error: unknown): ChaincodeRefusal | undefined {
  for (const d of detailsOf(error)) {
    const r = parseRefusal(d.message);
    if (r) return r;
  }
  return error instanceof Error ? parseRefusal(error.message) : undefined;
}

// `policy on signed data`: a channel ACL (e.g. peer/Propose, the Application Writers) the
// proposal's creator does not satisfy, such as the orderer org's admin proposing to a peer.
const AUTH_WORDS =
  /access denied|permission denied|status=FORBIDDEN|signature|creator|not authorized|unauthorized|identity|expired certificate|certificate has expired|MSP .* not found|deserialize|policy on signed data/i;

/**
 * Maps anything a Fabric operation threw to one of core's typed errors, keeping Fabric's
 * words: the chaincode's refusal (`[BSN:CODE]`), the gRPC status, each peer's endorsement
 * detail, the validation code of an invalidated transaction.
 */
export const toBsnError = errorMapping(FRAMEWORK, (error, ctx, prefix) => {
  const txId = ctx.txId ?? (error as { transactionId?: unknown })?.transactionId;
  const txOpt = typeof txId === 'string' && txId ? { txId } : {};

  if (error instanceof CommitError) {
    const name = validationCodeName(error.code);
    const detail: FrameworkDetail = {
      framework: FRAMEWORK,
      code: name,
      message: error.message,
      data: { validationCode: error.code, txId: error.transactionId },
    };
    const message = `${prefix}the transaction was ordered but the peers invalidated it (${name})`;
    const opts = { detail, stage: 'commit' as const, cause: error, ...txOpt };
    return name === 'BAD_CREATOR_SIGNATURE' ? new UnauthorizedError(message, opts) : new RejectedByChainError(message, opts);
  }

  if (error instanceof GatewayError || (error instanceof Error && typeof (error as { code?: unknown }).code === 'number')) {
    const grpcCode = (error as unknown as { code: number }).code;
    const details = detailsOf(error);
    const refusal = refusalIn(error);
    const stage: FailureStage =
      error instanceof EndorseError
        ? 'endorse'
        : error instanceof CommitStatusError
          ? 'commit'
          : error instanceof SubmitError
            ? 'submit'
            : ctx.stage;
    const chainMessage = refusal?.message ?? details.map((d) => d.message).find((m) => m) ?? (error as Error).message;
    const detail: FrameworkDetail = {
      framework: FRAMEWORK,
      code: refusal ? `BSN:${refusal.code}` : grpcCodeName(grpcCode),
      message: chainMessage,
      data: {
        grpcStatus: grpcCodeName(grpcCode),
        grpcMessage: (error as Error).message,
        ...(details.length && { peers: details }),
        ...(refusal?.data && { chaincode: refusal.data }),
        ...txOpt,
      },
    };
    const opts: BsnErrorOptions = { detail, stage, cause: error, ...txOpt };
    if (refusal) {
      const field = typeof refusal.data?.field === 'string' ? refusal.data.field : undefined;
      // A code this version of the standard does not know is still the chain's refusal.
      const code = ERROR_CODES.includes(refusal.code) ? refusal.code : 'REJECTED_BY_CHAIN';
      return errorOfCode(code, `${prefix}${refusal.message}`, { ...opts, ...(field !== undefined && { field }) });
    }
    if (grpcCode === GrpcStatus.DEADLINE_EXCEEDED) {
      return new TimeoutError(
        `${prefix}no answer before the deadline at the ${stage} stage${stage === 'query' ? '' : ' (the outcome is unknown: retry with the same request id)'}`,
        opts,
      );
    }
    if (grpcCode === GrpcStatus.UNAVAILABLE || grpcCode === GrpcStatus.RESOURCE_EXHAUSTED || grpcCode === GrpcStatus.CANCELLED) {
      return new UnavailableError(`${prefix}Fabric is unavailable at the ${stage} stage: ${chainMessage}`, opts);
    }
    const peerWords = wordsOf(error);
    if (peerDeadline(peerWords)) {
      return new TimeoutError(`${prefix}a peer did not answer in time at the ${stage} stage: ${chainMessage}`, opts);
    }
    if (peersUnreachable(peerWords)) {
      return new UnavailableError(`${prefix}a peer the ${stage} stage needs is unreachable: ${chainMessage}`, opts);
    }
    if (stage === 'commit') return new UnavailableError(`${prefix}the commit status could not be obtained: ${chainMessage}`, opts);
    if (grpcCode === GrpcStatus.PERMISSION_DENIED || grpcCode === GrpcStatus.UNAUTHENTICATED || AUTH_WORDS.test(chainMessage)) {
      return new UnauthorizedError(`${prefix}Fabric refused the caller: ${chainMessage}`, opts);
    }
    return new RejectedByChainError(`${prefix}${chainMessage}`, opts);
  }

  return unexpectedError(error, { ...ctx, ...txOpt }, FRAMEWORK);
});

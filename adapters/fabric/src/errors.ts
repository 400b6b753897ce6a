import { status as GrpcStatus } from '@grpc/grpc-js';
import { CommitError, CommitStatusError, EndorseError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';
import { BsnError, ConflictError, InvalidInputError, NotFoundError, RejectedByChainError, TimeoutError, UnauthorizedError, UnavailableError, isBsnError, type BsnErrorOptions, type ErrorCode, type FailureStage, type FrameworkDetail } from '@bsn/contract';
import { FRAMEWORK } from './describe.js';

export interface ErrorContext {
  stage: FailureStage;
  txId?: string;
  /** What was being done, for the message. */
  what?: string;
}

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
  return (Object.entries(GrpcStatus).find(([, v]) => v === code)?.[0]) ?? String(code);
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

interface PeerDetail {
  mspId: string;
  address: string;
  message: string;
}

/** The per-peer details a fabric-gateway error carries (none for other errors). */
export function detailsOf(error: unknown): PeerDetail[] {
  const details = (error as { details?: unknown }).details;
  return Array.isArray(details)
    ? details.map((d: Record<string, unknown>) => ({ mspId: String(d.mspId ?? ''), address: String(d.address ?? ''), message: String(d.message ?? '') }))
    : [];
}

/** The chaincode's own refusal, from the peers' details or the error message. */
export function refusalIn(error: unknown): ChaincodeRefusal | undefined {
  for (const d of detailsOf(error)) {
    const r = parseRefusal(d.message);
    if (r) return r;
  }
  return error instanceof Error ? parseRefusal(error.message) : undefined;
}

function make(code: ErrorCode, message: string, options: BsnErrorOptions): BsnError {
  switch (code) {
    case 'INVALID_INPUT': return new InvalidInputError(message, options);
    case 'UNAUTHORIZED': return new UnauthorizedError(message, options);
    case 'NOT_FOUND': return new NotFoundError(message, options);
    case 'CONFLICT': return new ConflictError(message, options);
    case 'UNAVAILABLE': return new UnavailableError(message, options);
    case 'TIMEOUT': return new TimeoutError(message, options);
    default: return new RejectedByChainError(message, options);
  }
}

/** What the gateway peer says when another peer it needs cannot be reached (inside an ABORTED endorsement). */
const PEER_UNREACHABLE = /code = Unavailable|connection refused|connection error|transport is closing|failed to connect|no peers available|no combination of peers|not enough (peers|endorsers)/i;
const PEER_DEADLINE = /code = DeadlineExceeded|context deadline exceeded/i;

const AUTH_WORDS = /access denied|permission denied|status=FORBIDDEN|signature|creator|not authorized|unauthorized|identity|expired certificate|certificate has expired|MSP .* not found|deserialize/i;

/**
 * Maps anything a Fabric operation threw to one of core's typed errors, keeping Fabric's
 * words: the chaincode's refusal (`[BSN:CODE]`), the gRPC status, each peer's endorsement
 * detail, the validation code of an invalidated transaction.
 */
export function toBsnError(error: unknown, ctx: ErrorContext): BsnError {
  if (isBsnError(error)) return error as BsnError;
  const prefix = ctx.what ? `${ctx.what}: ` : '';
  const txId = ctx.txId ?? (error as { transactionId?: unknown })?.transactionId;
  const txOpt = typeof txId === 'string' && txId ? { txId } : {};

  if (error instanceof CommitError) {
    const name = validationCodeName(error.code);
    const detail: FrameworkDetail = { framework: FRAMEWORK, code: name, message: error.message, data: { validationCode: error.code, txId: error.transactionId } };
    const message = `${prefix}the transaction was ordered but the peers invalidated it (${name})`;
    const opts = { detail, stage: 'commit' as const, cause: error, ...txOpt };
    return name === 'BAD_CREATOR_SIGNATURE' ? new UnauthorizedError(message, opts) : new RejectedByChainError(message, opts);
  }

  if (error instanceof GatewayError || (error instanceof Error && typeof (error as { code?: unknown }).code === 'number')) {
    const grpcCode = (error as unknown as { code: number }).code;
    const details = detailsOf(error);
    const refusal = refusalIn(error);
    const stage: FailureStage = error instanceof EndorseError ? 'endorse'
      : error instanceof CommitStatusError ? 'commit'
      : (error as Error).constructor?.name === 'SubmitError' ? 'submit'
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
      return make(refusal.code, `${prefix}${refusal.message}`, { ...opts, ...(field !== undefined && { field }) });
    }
    if (grpcCode === GrpcStatus.DEADLINE_EXCEEDED) {
      return new TimeoutError(`${prefix}no answer before the deadline at the ${stage} stage${stage === 'query' ? '' : ' (the outcome is unknown: retry with the same request id)'}`, opts);
    }
    if (grpcCode === GrpcStatus.UNAVAILABLE || grpcCode === GrpcStatus.RESOURCE_EXHAUSTED || grpcCode === GrpcStatus.CANCELLED) {
      return new UnavailableError(`${prefix}Fabric is unavailable at the ${stage} stage: ${chainMessage}`, opts);
    }
    const peerWords = [chainMessage, ...details.map((d) => d.message)].join('\n');
    if (PEER_DEADLINE.test(peerWords)) {
      return new TimeoutError(`${prefix}a peer did not answer in time at the ${stage} stage: ${chainMessage}`, opts);
    }
    if (PEER_UNREACHABLE.test(peerWords)) {
      return new UnavailableError(`${prefix}a peer the ${stage} stage needs is unreachable: ${chainMessage}`, opts);
    }
    if (stage === 'commit') return new UnavailableError(`${prefix}the commit status could not be obtained: ${chainMessage}`, opts);
    if (grpcCode === GrpcStatus.PERMISSION_DENIED || grpcCode === GrpcStatus.UNAUTHENTICATED || AUTH_WORDS.test(chainMessage)) {
      return new UnauthorizedError(`${prefix}Fabric refused the caller: ${chainMessage}`, opts);
    }
    return new RejectedByChainError(`${prefix}${chainMessage}`, opts);
  }

  const message = error instanceof Error ? error.message : String(error);
  return new UnavailableError(`${prefix}unexpected failure: ${message}`, {
    detail: { framework: FRAMEWORK, message }, stage: ctx.stage, cause: error, ...txOpt,
  });
}

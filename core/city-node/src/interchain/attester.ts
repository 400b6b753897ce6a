/**
 * What this node signs for peers and for its own relayer, and only after checking it itself:
 * - a block attestation (`attestBlock`) for a block it reads on its own connection to the chain;
 * - an interchain attestation (`attestInterchain`) over a packet, ack or timeout commitment, once
 *   its own verifier proved the evidence against the roots it pinned, and the proven subject is
 *   the very packet (or ack) the caller asks about — a caller never picks what is signed.
 */
import type { Evidence, Packet, Verification } from '@bsn/contract';
import {
  ackCommitment,
  attestBlock,
  attestInterchain,
  checkAck,
  checkPacket,
  InvalidInputError,
  packetCommitment,
  packetId,
  type Ack,
  type BlockAttestation,
  type InterchainAttestation,
} from '@bsn/contract';
import { ApiError, invalid } from '../errors.js';
import type { Networks } from '../networks.js';
import type { EvidenceVerifier } from './evidence-verifier.js';

export type AttestationRequest =
  | { kind: 'block'; block: { framework: string; chain: string; number: number; hash: string } }
  | { kind: 'packet' | 'timeout'; packet: Packet; evidence: Evidence }
  | { kind: 'ack'; packet: Packet; ack: Ack; evidence: Evidence };

export type AttestationAnswer = { attestation: InterchainAttestation } | { blockAttestation: BlockAttestation };

const refused = (message: string) => new ApiError('UNAUTHORIZED', 'evidence-rejected', message);
const sameHash = (a: string, b: string) => a.replace(/^0x/, '').toLowerCase() === b.replace(/^0x/, '').toLowerCase();

export class InterchainAttester {
  readonly publicKey: string;

  constructor(
    private readonly verifier: EvidenceVerifier,
    private readonly networks: Pick<Networks, 'byName'>,
    private readonly key: { privateKey: Uint8Array; publicKey: Uint8Array },
  ) {
    this.publicKey = Buffer.from(key.publicKey).toString('hex');
  }

  async attest(body: unknown): Promise<AttestationAnswer> {
    const req = parseRequest(body);
    if (req.kind === 'block') return { blockAttestation: await this.attestBlock(req.block) };
    const verification = await this.verifier.verify(req.evidence);
    if (verification.state !== 'proven') throw refused(`the evidence is not proven: ${verification.reason}`);
    const commitment = bound(req, verification);
    return { attestation: attestInterchain(req.kind, commitment, this.key.privateKey) };
  }

  /** Signs that a block is final only after reading it, by number, on this node's own connection. */
  private async attestBlock(block: { framework: string; chain: string; number: number; hash: string }): Promise<BlockAttestation> {
    const network = this.networks.byName(block.chain);
    if (!network || network.framework !== block.framework)
      throw refused(`this node is not connected to ${block.framework} chain ${block.chain}: it cannot vouch for its blocks`);
    const seen = await network.adapter.gateway.block(block.number);
    if (!sameHash(seen.hash, block.hash))
      throw refused(`block ${block.number} of ${block.chain} has hash ${seen.hash} on this node's connection, not ${block.hash}`);
    return attestBlock({ ...block, hash: seen.hash }, { algorithm: 'secp256k1', privateKey: this.key.privateKey });
  }
}

/** The commitment to sign: what the proven evidence is about, which must be what was asked. */
function bound(req: Exclude<AttestationRequest, { kind: 'block' }>, v: Extract<Verification, { state: 'proven' }>): string {
  const { packet, evidence } = req;
  const id = packetId(packet);
  const subject = req.kind === 'packet' ? 'packet' : req.kind;
  if (v.subject?.kind !== subject) throw refused(`the evidence proves a ${String(v.subject?.kind)}, not a ${subject}`);
  if (v.subject.packetId !== id) throw refused(`the evidence is about packet ${v.subject.packetId}, not ${id}`);
  const chain = req.kind === 'packet' ? packet.srcChain : packet.dstChain;
  if (evidence.chain !== chain)
    throw refused(`the evidence is from ${evidence.chain}, not the packet's ${req.kind === 'packet' ? 'source' : 'target'} ${chain}`);
  const commitment = packetCommitment(packet);
  if (req.kind === 'packet') {
    if (!v.packet || packetCommitment(v.packet) !== commitment)
      throw refused('the evidence proves another packet than the one asked about');
    return commitment;
  }
  if (req.kind !== 'ack') return commitment;
  const ack = req.ack;
  if (ack.packetId !== id || ack.commitment !== commitment) throw refused('the ack answers another packet');
  if (!v.ack || ackCommitment(v.ack) !== ackCommitment(ack)) throw refused('the evidence proves another ack than the one asked about');
  return ackCommitment(ack);
}

function parseRequest(body: unknown): AttestationRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('malformed-body', 'the body must be a JSON object', '/');
  const b = body as Record<string, unknown>;
  const wrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof InvalidInputError) throw invalid('invalid-field', err.message, err.field);
      throw err;
    }
  };
  switch (b['kind']) {
    case 'block': {
      const blk = b['block'] as Record<string, unknown> | undefined;
      if (typeof blk !== 'object' || blk === null) throw invalid('invalid-field', '/block must be an object', '/block');
      const { framework, chain, number, hash } = blk;
      if (typeof framework !== 'string' || typeof chain !== 'string' || typeof hash !== 'string' || !Number.isSafeInteger(number))
        throw invalid('invalid-field', '/block must name framework, chain, number and hash', '/block');
      return { kind: 'block', block: { framework, chain, number: number as number, hash } };
    }
    case 'packet':
    case 'timeout':
    case 'ack': {
      const packet = wrap(() => checkPacket(b['packet']));
      const evidence = b['evidence'];
      if (typeof evidence !== 'object' || evidence === null || Array.isArray(evidence))
        throw invalid('invalid-field', '/evidence must be an evidence object', '/evidence');
      if (b['kind'] !== 'ack') return { kind: b['kind'], packet, evidence: evidence as Evidence };
      return { kind: 'ack', packet, ack: wrap(() => checkAck(b['ack'])), evidence: evidence as Evidence };
    }
    default:
      throw invalid('invalid-field', '/kind must be block, packet, ack or timeout', '/kind');
  }
}

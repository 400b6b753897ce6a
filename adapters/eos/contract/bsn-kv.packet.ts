/**
 * Packets as the chain rebuilds them (docs/interchain-delivery.md, "Rebuilt on chain"): every
 * field refused outside its alphabet first, so the RFC 8785 JSON can be built by concatenation
 * (no field ever needs escaping and two packets never share one commitment), then the packet
 * id, packet commitment and ack commitment under their domains, byte for byte as core builds them.
 */
import { Checksum256, check, sha256 } from 'proton-tsc';
import { utf8 } from './bsn-kv.hashes';

const MAX_SAFE: u64 = 9007199254740991;

export class Packet {
  constructor(
    public srcchain: string,
    public srcapp: string,
    public dstchain: string,
    public dstapp: string,
    public seq: u64,
    public method: string,
    public payload: string,
    public timeout: u64,
    public grantref: string,
  ) {}
}

const lower = (c: i32): bool => c >= 97 && c <= 122;
const upper = (c: i32): bool => c >= 65 && c <= 90;
const digit = (c: i32): bool => c >= 48 && c <= 57;

export function isChainName(s: string): bool {
  if (s.length < 1 || s.length > 64) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = lower(c) || digit(c) || (i > 0 && (c == 46 || c == 95 || c == 45));
    if (!ok) return false;
  }
  return true;
}

/** Apps and grant refs: 1–128 of A–Z a–z 0–9 . _ : - */
export function isId(s: string): bool {
  if (s.length < 1 || s.length > 128) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(lower(c) || upper(c) || digit(c) || c == 46 || c == 95 || c == 58 || c == 45)) return false;
  }
  return true;
}

export function isMethod(s: string): bool {
  if (s.length < 1 || s.length > 64) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = lower(c) || upper(c) || c == 95 || (i > 0 && (digit(c) || c == 46));
    if (!ok) return false;
  }
  return true;
}

/** The base64 alphabet with at most two trailing `=` (what core's packet check accepts). */
export function isBase64Text(s: string): bool {
  let pad = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 61) {
      pad++;
      continue;
    }
    if (pad > 0) return false;
    if (!(lower(c) || upper(c) || digit(c) || c == 43 || c == 47)) return false;
  }
  return pad <= 2;
}

/** Step 1 of every delivery action: the packet well-formed, or the whole transaction refused. */
export function checkPacket(p: Packet): void {
  check(isChainName(p.srcchain), 'bsn:invalid: /packet/srcChain is not a chain name');
  check(isChainName(p.dstchain), 'bsn:invalid: /packet/dstChain is not a chain name');
  check(isId(p.srcapp), 'bsn:invalid: /packet/srcApp is not an app id');
  check(isId(p.dstapp), 'bsn:invalid: /packet/dstApp is not an app id');
  check(isId(p.grantref), 'bsn:invalid: /packet/grantRef is not a grant id');
  check(isMethod(p.method), 'bsn:invalid: /packet/method is not a method name');
  check(isBase64Text(p.payload), 'bsn:invalid: /packet/payload is not base64');
  check(p.seq >= 1 && p.seq <= MAX_SAFE, 'bsn:invalid: /packet/seq is outside 1..2^53-1');
  check(p.timeout >= 1 && p.timeout <= MAX_SAFE, 'bsn:invalid: /packet/timeout is outside 1..2^53-1');
}

const q = (s: string): string => '"' + s + '"';

function domainHash(domain: string, json: string): Checksum256 {
  return sha256(utf8(domain + json));
}

export function packetIdOf(p: Packet): Checksum256 {
  const json =
    '{"dstApp":' +
    q(p.dstapp) +
    ',"dstChain":' +
    q(p.dstchain) +
    ',"seq":' +
    p.seq.toString() +
    ',"srcApp":' +
    q(p.srcapp) +
    ',"srcChain":' +
    q(p.srcchain) +
    '}';
  return domainHash('bsn:packet-id:v1\n', json);
}

export function commitmentOf(p: Packet): Checksum256 {
  const json =
    '{"dstApp":' +
    q(p.dstapp) +
    ',"dstChain":' +
    q(p.dstchain) +
    ',"grantRef":' +
    q(p.grantref) +
    ',"method":' +
    q(p.method) +
    ',"payload":' +
    q(p.payload) +
    ',"seq":' +
    p.seq.toString() +
    ',"srcApp":' +
    q(p.srcapp) +
    ',"srcChain":' +
    q(p.srcchain) +
    ',"timeout":' +
    p.timeout.toString() +
    ',"v":1}';
  return domainHash('bsn:packet-commitment:v1\n', json);
}

const HEX = '0123456789abcdef';

export function hexOf(c: Checksum256): string {
  let s = '';
  for (let i = 0; i < 32; i++) s += HEX.charAt(c.data[i] >> 4) + HEX.charAt(c.data[i] & 15);
  return s;
}

export const ACK_STATUSES: string[] = ['OK', 'INVALID_INPUT', 'NOT_FOUND', 'CONFLICT', 'REJECTED_BY_CHAIN', 'UNAUTHORIZED'];

export function ackCommitmentOf(p: Packet, status: string, result: string): Checksum256 {
  check(ACK_STATUSES.includes(status), 'bsn:invalid: /ack/status is not an ack status');
  check(isBase64Text(result), 'bsn:invalid: /ack/result is not base64');
  const json =
    '{"commitment":' +
    q(hexOf(commitmentOf(p))) +
    ',"packetId":' +
    q(hexOf(packetIdOf(p))) +
    ',"result":' +
    q(result) +
    ',"status":' +
    q(status) +
    '}';
  return domainHash('bsn:ack-commitment:v1\n', json);
}

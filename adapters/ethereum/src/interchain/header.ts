import { encode } from '@ethereumjs/rlp';
import { getBytes, hexlify, keccak256 } from 'ethers';

/**
 * Ethereum block headers as evidence carries them: the named fields of the header, hex, from
 * which a verifier rebuilds the RLP list itself and hashes it (keccak256(RLP(header)) is the
 * block hash). Fields after `nonce` arrived with forks and sit at the end of the list in fork
 * order; a header has a prefix of them, never a gap.
 */

type Kind = 'hash' | 'address' | 'bloom' | 'bytes' | 'nonce' | 'quantity';

/** The header fields in RLP order, with the fork that added the later ones. */
export const HEADER_FIELDS = [
  ['parentHash', 'hash'],
  ['sha3Uncles', 'hash'],
  ['miner', 'address'],
  ['stateRoot', 'hash'],
  ['transactionsRoot', 'hash'],
  ['receiptsRoot', 'hash'],
  ['logsBloom', 'bloom'],
  ['difficulty', 'quantity'],
  ['number', 'quantity'],
  ['gasLimit', 'quantity'],
  ['gasUsed', 'quantity'],
  ['timestamp', 'quantity'],
  ['extraData', 'bytes'],
  ['mixHash', 'hash'],
  ['nonce', 'nonce'],
  /** London (EIP-1559) */
  ['baseFeePerGas', 'quantity'],
  /** Shanghai (EIP-4895) */
  ['withdrawalsRoot', 'hash'],
  /** Cancun (EIP-4844) */
  ['blobGasUsed', 'quantity'],
  ['excessBlobGas', 'quantity'],
  /** Cancun (EIP-4788) */
  ['parentBeaconBlockRoot', 'hash'],
  /** Prague (EIP-7685) */
  ['requestsHash', 'hash'],
] as const satisfies ReadonlyArray<readonly [string, Kind]>;

export type HeaderField = (typeof HEADER_FIELDS)[number][0];
/** Every field hex (0x…): fixed-size byte fields in full, quantities without leading zeros. */
export type EthHeader = Partial<Record<HeaderField, string>>;

/** Fields every header has (pre-London); the rest are an in-order prefix of the fork fields. */
const BASE_FIELDS = 15;
const FIXED: Partial<Record<Kind, number>> = { hash: 32, address: 20, bloom: 256, nonce: 8 };
const KNOWN = new Set<string>(HEADER_FIELDS.map(([name]) => name));

export class HeaderError extends Error {}

function fieldBytes(name: string, kind: Kind, value: unknown): Uint8Array {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]*$/.test(value)) throw new HeaderError(`header field ${name} must be 0x-prefixed hex`);
  if (kind === 'quantity') {
    // Canonical quantity: 0x0, or no leading zero nibble, at most 256 bits. RLP encodes the
    // minimal big-endian bytes (zero is the empty string).
    if (!/^0x(0|[1-9a-fA-F][0-9a-fA-F]{0,63})$/.test(value)) throw new HeaderError(`header field ${name} is not a canonical quantity`);
    const n = BigInt(value);
    if (n === 0n) return new Uint8Array(0);
    const hex = n.toString(16);
    return getBytes('0x' + (hex.length % 2 ? '0' : '') + hex);
  }
  if (value.length % 2) throw new HeaderError(`header field ${name} has an odd number of hex digits`);
  const bytes = getBytes(value);
  const size = FIXED[kind];
  if (size !== undefined && bytes.length !== size) throw new HeaderError(`header field ${name} must be ${size} bytes, not ${bytes.length}`);
  // extraData is 32 bytes at most on mainnet, longer on PoA chains (clique seals sit there).
  if (kind === 'bytes' && bytes.length > 65_536) throw new HeaderError(`header field ${name} is longer than 64 KiB`);
  return bytes;
}

/**
 * The RLP list items of a header, in order; HeaderError when a field is missing, unknown,
 * malformed, or a later fork field is present without an earlier one.
 */
export function headerItems(header: EthHeader): Uint8Array[] {
  if (typeof header !== 'object' || header === null) throw new HeaderError('the header must be an object');
  for (const key of Object.keys(header)) if (!KNOWN.has(key)) throw new HeaderError(`unknown header field ${key}`);
  const items: Uint8Array[] = [];
  let ended = false;
  HEADER_FIELDS.forEach(([name, kind], i) => {
    const value = header[name];
    if (value === undefined) {
      if (i < BASE_FIELDS) throw new HeaderError(`header field ${name} is missing`);
      ended = true;
      return;
    }
    if (ended) throw new HeaderError(`header field ${name} is present but an earlier fork field is not`);
    items.push(fieldBytes(name, kind, value));
  });
  return items;
}

export function encodeHeader(header: EthHeader): Uint8Array {
  return encode(headerItems(header));
}

/** keccak256(RLP(header)), 0x-prefixed lowercase. */
export function headerHash(header: EthHeader): string {
  return keccak256(encodeHeader(header));
}

/** The header fields of a block as eth_getBlockByNumber returns it (other properties dropped). */
export function headerFromRpc(block: Record<string, unknown>): EthHeader {
  const header: EthHeader = {};
  for (const [name, kind] of HEADER_FIELDS) {
    const value = block[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new HeaderError(`block field ${name} is not a hex string`);
    // Nodes send quantities canonically and byte fields in full; normalise case only.
    header[name] = kind === 'quantity' ? '0x' + BigInt(value).toString(16) : hexlify(getBytes(value));
  }
  return header;
}

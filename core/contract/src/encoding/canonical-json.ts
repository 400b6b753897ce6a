import canonicalizeModule from 'canonicalize';
import { InvalidInputError } from '../errors/errors.js';

// The package is CommonJS (`module.exports = fn`) but its typings declare an ES default
// export; under NodeNext the default import is module.exports, so unwrap either shape.
type Serialize = (input: unknown) => string | undefined;
const canonicalize: Serialize =
  typeof canonicalizeModule === 'function'
    ? (canonicalizeModule as unknown as Serialize)
    : (canonicalizeModule as unknown as { default: Serialize }).default;

/**
 * RFC 8785 (JCS) canonical JSON: the one byte form that gets signed and hashed, so a
 * signer and a verifier on different machines agree on the bytes.
 *
 * Values JSON cannot carry faithfully are refused instead of being silently rewritten
 * (JSON.stringify turns NaN into null and drops functions, which would let two different
 * inputs sign the same bytes). Object properties whose value is `undefined` are omitted,
 * exactly as they vanish once the object travels as JSON, so sender and receiver agree.
 */
export function canonicalJson(value: unknown): string {
  assertJsonValue(value, '', new Set());
  const out = canonicalize(value);
  if (out === undefined) throw new InvalidInputError('value is not representable as JSON', { field: '/' });
  return out;
}

function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function assertJsonValue(value: unknown, path: string, seen: Set<object>): void {
  const field = path || '/';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidInputError(`${field}: ${value} is not a JSON number`, { field });
      return;
    case 'undefined':
      throw new InvalidInputError(`${field}: undefined is not JSON`, { field });
    case 'object':
      break;
    default:
      throw new InvalidInputError(`${field}: a ${typeof value} is not JSON`, { field });
  }
  if (value === null) return;
  if (seen.has(value)) throw new InvalidInputError(`${field}: circular reference`, { field });
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertJsonValue(item, pointer(path, i), seen));
  } else {
    // Class instances (Date, Uint8Array, Map…) would be serialised through toJSON or as
    // index-keyed objects; callers must convert them explicitly (ISO string, hex).
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new InvalidInputError(`${field}: only plain objects and arrays are JSON`, { field });
    }
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) assertJsonValue(v, pointer(path, k), seen);
    }
  }
  seen.delete(value);
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generatePrivateKey, publicKeyOf, toHex } from '@bsn/contract';
import { RequestSigner } from '@bsn/client';
import { HEADERS } from '@bsn/protocol';
import type { Registry, User } from '../registry/registry.js';
import { ApiError } from '../errors.js';
import { Authenticator, type IncomingRequest } from './authenticator.js';

const NOW = 1_780_000_000_000;
const privateKey = generatePrivateKey('secp256r1');
const alice: User = {
  code: 'alice',
  portal: 'p',
  algorithm: 'secp256r1',
  publicKey: toHex(publicKeyOf('secp256r1', privateKey)),
  keyMode: 'hosted',
  role: 'admin',
} as User;

/** A registry with one user; nonces are remembered as a real one would. */
function registry(): Registry {
  const used = new Set<string>();
  return {
    getUser: async (code: string) => (code === 'alice' ? alice : null),
    useNonce: async (user: string, nonce: string) => !used.has(`${user}/${nonce}`) && Boolean(used.add(`${user}/${nonce}`)),
  } as unknown as Registry;
}

const CREDENTIAL_REASONS = [
  'missing-credentials',
  'malformed-credentials',
  'unknown-user',
  'bad-signature',
  'stale-timestamp',
  'nonce-replayed',
];
/** A header: absent, any text, or shaped like the real thing (so the later checks are reached too). */
const header = (shaped: fc.Arbitrary<string>) => fc.option(fc.oneof(shaped, fc.string({ maxLength: 200 })), { nil: undefined });
const users = header(fc.constantFrom('alice', 'bob'));
const apps = header(fc.stringMatching(/^[a-z0-9-]{0,20}$/));
// Around now, anywhere, and around the largest time a Date holds (8.64e15).
const timestamps = header(
  fc.oneof(
    fc.stringMatching(/^\d{1,20}$/),
    fc.integer({ min: NOW - 600_000, max: NOW + 600_000 }).map(String),
    fc.bigInt({ min: 8_000_000_000_000_000n, max: 9_999_999_999_999_999n }).map(String),
  ),
);
const nonces = header(fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/));
const signatures = header(fc.stringMatching(/^[0-9a-f]{128}$/));

function incoming(
  headers: Record<string, string | undefined>,
  method = 'GET',
  path = '/v1/users/me',
  query = '',
  body = new Uint8Array(0),
): IncomingRequest {
  return { method, path, query, body, header: (name) => headers[name] };
}

describe('the credential parser (property-based)', () => {
  it('any header values at all: a typed 401 with a credential reason, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(users, apps, timestamps, nonces, signatures, async (user, app, timestamp, nonce, signature) => {
        const auth = new Authenticator(registry(), { clockSkewMs: 300_000, now: () => NOW });
        const headers = {
          [HEADERS.user]: user,
          [HEADERS.app]: app,
          [HEADERS.timestamp]: timestamp,
          [HEADERS.nonce]: nonce,
          [HEADERS.signature]: signature,
        };
        const outcome = await auth.authenticate(incoming(headers)).then(
          () => 'accepted',
          (e: unknown) => e,
        );
        expect(outcome, 'nothing unsigned by alice is accepted').not.toBe('accepted');
        expect(outcome).toBeInstanceOf(ApiError);
        expect(CREDENTIAL_REASONS).toContain((outcome as ApiError).reason);
        // The digest an answer is signed for exists for every request, however malformed.
        expect(Authenticator.digestOf(incoming(headers))).toMatch(/^[0-9a-f]{64}$/);
      }),
      { numRuns: 500 },
    );
  });

  it('a request signed by the client verifies at the node, with the same digest; one changed byte does not', async () => {
    const signer = new RequestSigner('alice', 'secp256r1', privateKey);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'PUT', 'POST', 'DELETE'),
        fc.webPath(),
        fc.uint8Array({ maxLength: 256 }),
        fc.nat({ max: 255 }),
        async (method, path, body, flip) => {
          const signed = signer.signRequest({ method, path: path || '/', body, timestamp: NOW });
          const auth = new Authenticator(registry(), { clockSkewMs: 300_000, now: () => NOW });
          const caller = await auth.authenticate(
            incoming(signed.headers as unknown as Record<string, string>, method, path || '/', '', body),
          );
          expect(caller.digest).toBe(signed.digest);
          if (body.length === 0) return;
          const tampered = Uint8Array.from(body);
          tampered[flip % body.length]! ^= 1;
          const refused = await new Authenticator(registry(), { clockSkewMs: 300_000, now: () => NOW })
            .authenticate(incoming(signed.headers as unknown as Record<string, string>, method, path || '/', '', tampered))
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          expect((refused as ApiError).reason).toBe('bad-signature');
        },
      ),
      { numRuns: 60 },
    );
  });
});

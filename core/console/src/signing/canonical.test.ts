/** The browser's canonical bytes are @bsn/protocol's, byte for byte, for any request. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as protocol from '@bsn/protocol';
import { canonicalRequest, canonicalResponse, requestDigest } from './canonical.js';
import { toHex } from './hex.js';

const request = fc.record({
  method: fc.constantFrom('GET', 'put', 'POST', 'DELETE', 'PATCH'),
  path: fc.string({ maxLength: 60 }).map((s) => `/v1/${encodeURIComponent(s)}`),
  query: fc
    .array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), { maxLength: 4 })
    .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')),
  body: fc.uint8Array({ maxLength: 300 }),
  user: fc.string({ maxLength: 20 }),
  app: fc.string({ maxLength: 20 }),
  timestamp: fc.integer({ min: 0 }).map(String),
  nonce: fc.string({ minLength: 16, maxLength: 40 }),
});

describe('canonical bytes in the browser', () => {
  test('requests, digests and answers match the protocol package', async () => {
    await fc.assert(
      fc.asyncProperty(request, fc.stringMatching(/^[0-9a-f]{128}$/), fc.integer({ min: 100, max: 599 }), async (r, sig, status) => {
        const ours = await canonicalRequest(r);
        expect(toHex(ours)).toBe(toHex(protocol.canonicalRequest(r)));
        const digest = await requestDigest(ours, sig);
        expect(digest).toBe(protocol.requestDigest(r, sig));
        expect(toHex(await canonicalResponse(status, r.body, digest))).toBe(toHex(protocol.canonicalResponse(status, r.body, digest)));
      }),
      { numRuns: 200 },
    );
  });
});

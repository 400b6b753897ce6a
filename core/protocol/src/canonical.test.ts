import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalQuery, canonicalRequest, requestDigest, type RequestToSign } from './canonical.js';

/** Header-safe text: what HTTP can carry in a header value (no CR, LF or NUL). */
const headerText = fc.string({ maxLength: 40 }).filter((s) => !/[\r\n\0]/.test(s));
const request: fc.Arbitrary<RequestToSign> = fc.record({
  method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'GRPC'),
  path: fc.webPath(),
  query: fc
    .array(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.stringMatching(/^[A-Za-z0-9%]{0,8}$/)), { maxLength: 4 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  body: fc.uint8Array({ maxLength: 64 }),
  user: headerText,
  app: headerText,
  timestamp: fc.stringMatching(/^\d{0,16}$/),
  nonce: headerText,
});

describe('the canonical request (property-based)', () => {
  it('the query is canonical: any order of the same pairs signs the same bytes', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.stringMatching(/^[a-z]{1,5}=[a-z0-9]{0,5}$/), { maxLength: 6 })
          .chain((pairs) => fc.tuple(fc.constant(pairs), fc.shuffledSubarray(pairs, { minLength: pairs.length, maxLength: pairs.length }))),
        ([pairs, shuffled]) => {
          expect(canonicalQuery(shuffled.join('&'))).toBe(canonicalQuery(pairs.join('&')));
        },
      ),
    );
  });

  it('every field is bound: changing any one changes the signed bytes and the answer digest', () => {
    const fields: Array<keyof RequestToSign> = ['method', 'path', 'query', 'body', 'user', 'app', 'timestamp', 'nonce'];
    fc.assert(
      fc.property(request, request, fc.constantFrom(...fields), (a, b, field) => {
        const changed = { ...a, [field]: b[field] };
        const same =
          field === 'query'
            ? canonicalQuery(a.query) === canonicalQuery(b.query)
            : field === 'body'
              ? Buffer.from(a.body).equals(Buffer.from(b.body))
              : field === 'method'
                ? a.method.toUpperCase() === b.method.toUpperCase()
                : a[field] === b[field];
        fc.pre(!same);
        expect(Buffer.from(canonicalRequest(changed)).equals(Buffer.from(canonicalRequest(a)))).toBe(false);
        expect(requestDigest(changed, 'sig')).not.toBe(requestDigest(a, 'sig'));
      }),
    );
  });

  it('the signature as sent is bound too', () => {
    fc.assert(
      fc.property(request, fc.stringMatching(/^[0-9a-f]{1,128}$/), fc.stringMatching(/^[0-9a-f]{1,128}$/), (r, s1, s2) => {
        fc.pre(s1 !== s2);
        expect(requestDigest(r, s1)).not.toBe(requestDigest(r, s2));
      }),
    );
  });
});

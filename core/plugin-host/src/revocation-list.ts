/**
 * A certifier's revocation list: its signed, numbered collection of revocations (each one a
 * signed revocation of one certificate, see transparency/revocation.ts). Nodes load the lists
 * of the certifiers they trust when they start and again while they run; a certificate its own
 * certifier revoked is refused, and a plugin loaded under it is unloaded.
 */
import { readFile } from 'node:fs/promises';
import { InvalidInputError, signDocument, verifyDocument, type SignedDocument } from '@bsn/contract';
import type { CertifierKey, PluginCertificate } from './certificate.js';
import { findTrustedCertifier, type TrustedCertifier } from './trust.js';
import { REVOCATION_DOMAIN, certificateSha256, revocationViolations, type PluginRevocation } from './transparency/revocation.js';

export const REVOCATION_LIST_DOMAIN = 'revocation-list';

export interface RevocationListPayload {
  v: 1;
  certifier: { name: string };
  /** Grows with every change: a node never goes back to an older list of the same certifier. */
  sequence: number;
  /** RFC 3339. */
  issuedAt: string;
  revocations: PluginRevocation[];
}

export type RevocationList = SignedDocument<RevocationListPayload>;

/** A new list holding `previous`'s revocations and `revocation`, numbered one higher, signed by `key`. */
export function addToRevocationList(
  previous: RevocationList | undefined,
  revocation: PluginRevocation,
  key: CertifierKey,
  now = new Date(),
): RevocationList {
  const kept = (previous?.payload.revocations ?? []).filter((r) => r.payload.certificate.sha256 !== revocation.payload.certificate.sha256);
  const payload: RevocationListPayload = {
    v: 1,
    certifier: { name: key.name },
    sequence: (previous?.payload.sequence ?? 0) + 1,
    issuedAt: now.toISOString(),
    revocations: [...kept, revocation],
  };
  return signDocument(payload, REVOCATION_LIST_DOMAIN, {
    algorithm: key.algorithm,
    privateKey: key.privateKey,
    ...(key.keyId && { keyId: key.keyId }),
  });
}

/**
 * The certificates (by `certificateSha256`) a list revokes, once the list and each revocation
 * in it are signed by the same trusted certifier. Throws InvalidInputError saying what is wrong
 * with a list that does not hold: a node keeps its previous view rather than trust a bad list.
 */
export function revokedBy(
  list: unknown,
  trusted: readonly TrustedCertifier[],
): { certifier: TrustedCertifier; sequence: number; revoked: Map<string, PluginRevocation> } {
  const doc = list as RevocationList;
  const signed = verifyDocument(doc, REVOCATION_LIST_DOMAIN, [...trusted]);
  if (!signed.ok) throw new InvalidInputError(`the revocation list's signature does not hold: ${signed.reason}`, { field: '/signature' });
  const certifier = findTrustedCertifier(trusted, doc.signature)!;
  const payload = doc.payload;
  if (payload?.v !== 1 || !Number.isSafeInteger(payload.sequence) || payload.sequence < 1 || !Array.isArray(payload.revocations)) {
    throw new InvalidInputError('the revocation list is malformed: it needs v 1, a positive sequence and revocations', {
      field: '/payload',
    });
  }
  const revoked = new Map<string, PluginRevocation>();
  for (const [i, r] of payload.revocations.entries()) {
    const problems = revocationViolations(r);
    if (problems.length) throw new InvalidInputError(`revocation ${i}: ${problems[0]}`, { field: `/payload/revocations/${i}` });
    // A revocation counts only from the certifier that signed the list (and so issued the certificate).
    if (
      r.signature.publicKey.toLowerCase() !== doc.signature.publicKey.toLowerCase() ||
      !verifyDocument(r, REVOCATION_DOMAIN, [certifier]).ok
    ) {
      throw new InvalidInputError(`revocation ${i} is not signed by the list's certifier`, { field: `/payload/revocations/${i}` });
    }
    revoked.set(r.payload.certificate.sha256, r);
  }
  return { certifier, sequence: payload.sequence, revoked };
}

/** Reads a list from a file path or an http(s) URL. */
export async function fetchRevocationList(source: string): Promise<unknown> {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`${source} answered ${response.status}`);
    return response.json();
  }
  return JSON.parse(await readFile(source, 'utf8'));
}

/**
 * How a revocation is keyed in a node's view: the certificate and the key that revoked it. A
 * certificate is revoked only by the key that issued it — another certifier the node trusts
 * cannot withdraw a competitor's certificate, nor shadow its genuine revocation.
 */
function revocationKey(certificateSha: string, signerPublicKey: string): string {
  return `${certificateSha}|${signerPublicKey.toLowerCase()}`;
}

/** The revocation of `certificate` by its own issuer in `state`, if there is one. */
export function revocationOf(state: RevocationState, certificate: PluginCertificate): PluginRevocation | undefined {
  return state.revoked.get(revocationKey(certificateSha256(certificate), certificate.signature.publicKey));
}

/** What a node currently knows is revoked (keyed as `revocationKey`). */
export interface RevocationState {
  revoked: ReadonlyMap<string, PluginRevocation>;
}

/**
 * Keeps the current revocations of the trusted certifiers' lists. `refresh()` reloads every
 * source; a source that cannot be read or does not hold keeps its last good view (logged),
 * and a list older (lower sequence) than one already seen is ignored.
 */
export class RevocationWatcher implements RevocationState {
  private readonly bySource = new Map<string, { sequence: number; revoked: Map<string, PluginRevocation> }>();
  revoked: ReadonlyMap<string, PluginRevocation> = new Map();

  constructor(
    private readonly sources: readonly string[],
    private readonly trusted: readonly TrustedCertifier[],
    private readonly onProblem: (source: string, message: string) => void = () => {},
  ) {}

  /** Reloads the lists; resolves to the certificates newly revoked by this refresh. */
  async refresh(): Promise<PluginRevocation[]> {
    const before = this.revoked;
    for (const source of this.sources) {
      try {
        const view = revokedBy(await fetchRevocationList(source), this.trusted);
        const known = this.bySource.get(source);
        if (known && view.sequence < known.sequence) {
          this.onProblem(source, `list ${view.sequence} is older than list ${known.sequence} already seen: ignored`);
          continue;
        }
        this.bySource.set(source, view);
      } catch (err) {
        this.onProblem(source, (err as Error).message);
      }
    }
    const all = new Map<string, PluginRevocation>();
    for (const view of this.bySource.values()) for (const [sha, r] of view.revoked) all.set(revocationKey(sha, r.signature.publicKey), r);
    this.revoked = all;
    return [...all].filter(([k]) => !before.has(k)).map(([, v]) => v);
  }
}

/** Shared test helpers for the transparency log: certifiers, certificates, log folders. */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePrivateKey, signDocument, type DocumentSigningKey } from '@bsn/contract';
import { CERTIFICATE_DOMAIN, type CertifierKey, type PluginCertificate } from '../../certificate.js';
import { makeCertifier } from '../../testing/make-plugin.js';
import { TransparencyLog } from '../log.js';

export const certifier = makeCertifier('Acme Certification');

/**
 * A distinct, validly signed certificate per `n`. Signed directly rather than through
 * `issueCertificate`: the log only cares that it is a schema-valid signed certificate, and
 * this keeps these tests independent of how issuance checks reports.
 */
export function certificate(n: number, key: CertifierKey = certifier.key): PluginCertificate {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const payload = {
    v: 1,
    plugin: { name: `@acme/adapter-${n}`, version: '1.0.0', framework: 'ethereum', digest: `sha256:${sha(`plugin ${n}`)}` },
    suite: { name: '@bsn/conformance', version: '0.1.0' },
    target: { kind: 'process', node: 'anvil/v1.7.1', name: 'anvil' },
    verdict: 'pass',
    level: 'full',
    report: { sha256: sha(`report ${n}`) },
    issuedAt: '2025-06-02T00:00:00.000Z',
    expiresAt: '2026-06-02T00:00:00.000Z',
    certifier: { name: key.name },
  };
  return signDocument(payload, CERTIFICATE_DOMAIN, {
    algorithm: key.algorithm,
    privateKey: key.privateKey,
  }) as unknown as PluginCertificate;
}

export function logSigningKey(): DocumentSigningKey {
  return { algorithm: 'secp256r1', privateKey: generatePrivateKey('secp256r1') };
}

/** A fresh temp folder, removed by the returned `cleanup`. */
export async function tempDir(prefix = 'bsn-log-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A new log in `dir` serving the fixture certifier, with `count` certificates appended. */
export async function newLog(
  dir: string,
  options: { signingKey?: DocumentSigningKey; count?: number; name?: string } = {},
): Promise<{ log: TransparencyLog; signingKey: DocumentSigningKey; certificates: PluginCertificate[] }> {
  const signingKey = options.signingKey ?? logSigningKey();
  const log = await TransparencyLog.create(dir, { name: options.name ?? 'test-log', signingKey, certifiers: [certifier.trust] });
  const certificates: PluginCertificate[] = [];
  for (let i = 0; i < (options.count ?? 0); i++) {
    certificates.push(certificate(i));
    await log.append(certificates[i]);
  }
  return { log, signingKey, certificates };
}

/**
 * Where a node finds a certificate's inclusion evidence: in the file `bsn certify --log`
 * wrote beside the certificate, else (when the node knows the log's address) from the log
 * itself. Either way the evidence is only a claim until `LogVerifier` checks it.
 */
import { readFile } from 'node:fs/promises';
import type { PluginCertificate } from './certificate.js';
import type { PluginHostOptions } from './host.js';
import type { LogClient } from './transparency/client.js';
import { certificateLeafHash } from './transparency/entry.js';
import type { InclusionEvidence } from './transparency/log.js';
import type { LogVerifier } from './transparency/verifier.js';

/** `bsn-certificate.json` → `bsn-certificate.log.json` (any `x.json` → `x.log.json`). */
export function evidencePathFor(certificatePath: string): string {
  return certificatePath.endsWith('.json') ? `${certificatePath.slice(0, -'.json'.length)}.log.json` : `${certificatePath}.log.json`;
}

/** The evidence file's content, or undefined when there is none. Unparseable JSON is passed on as a non-object (refused by the verifier). */
export async function readEvidenceFile(path: string): Promise<InclusionEvidence | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as InclusionEvidence;
  } catch {
    return 'unparseable' as unknown as InclusionEvidence;
  }
}

/** The host's `transparency` option: evidence beside the certificate, else from `client`. */
export function logTransparency(verifier: LogVerifier, client?: LogClient): NonNullable<PluginHostOptions['transparency']> {
  return {
    verifier,
    async evidence(certificate: PluginCertificate, certificatePath: string | undefined) {
      const beside = certificatePath ? await readEvidenceFile(evidencePathFor(certificatePath)) : undefined;
      if (beside !== undefined || !client) return beside;
      return client.evidence(certificateLeafHash(certificate));
    },
  };
}

/** `bsn certifier revoke`: withdraw a certificate this certifier issued, in its signed revocation list (and its log). */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { isBsnError, publicKeyOf, readKeystore, toHex, verifyDocument, writeFileAtomic } from '@bsn/contract';
import {
  CERTIFICATE_DOMAIN,
  CERTIFICATE_FILE,
  LogClient,
  addToRevocationList,
  certificateSha256,
  certificateViolations,
  certifierKeyFromKeystore,
  readCertificateFile,
  revokeCertificate,
  revokedBy,
  fetchRevocationList,
  type CertifierKey,
  type PluginCertificate,
  type RevocationList,
  type TrustedCertifier,
} from '@bsn/plugin-host';
import { CliExit, EXIT, readPassphrase, refusedExit, type CliIo } from './io.js';

/** `certifier.json` → `certifier.revocations.json`: the list lives beside the key by default. */
export function revocationListFor(keyPath: string): string {
  return keyPath.endsWith('.json') ? `${keyPath.slice(0, -'.json'.length)}.revocations.json` : `${keyPath}.revocations.json`;
}

/** A certificate file, or a plugin folder holding one. */
async function readCertificate(spec: string): Promise<{ path: string; certificate: PluginCertificate }> {
  let path = spec;
  try {
    if ((await stat(spec)).isDirectory()) path = join(spec, CERTIFICATE_FILE);
  } catch (err) {
    throw new CliExit(EXIT.runtime, `cannot read the certificate ${spec}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = await readCertificateFile(path);
  } catch (err) {
    throw refusedExit(`the certificate ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (raw === undefined) throw new CliExit(EXIT.runtime, `no certificate at ${path}`);
  const problems = certificateViolations(raw);
  if (problems.length) throw refusedExit(`${path} is not a certificate:\n${problems.join('\n')}`);
  return { path, certificate: raw as PluginCertificate };
}

export function registerRevokeCommand(certifier: Command, io: CliIo): void {
  certifier
    .command('revoke')
    .description("revoke a certificate this certifier issued: sign it into the certifier's revocation list (and log it)")
    .argument('<certificate>', 'the certificate file, or the plugin folder holding bsn-certificate.json')
    .requiredOption('--key <file>', 'the certifier keystore that issued the certificate')
    .option('--list <file>', 'the revocation list to add to (created when missing; default: <key>.revocations.json)')
    .option('--reason <text>', 'why, for the log and the nodes that unload the plugin', 'unspecified')
    .option('--log <url>', 'also append the revocation to this transparency log')
    .option('--passphrase-file <file>', 'read the key passphrase from this file (else BSN_PASSPHRASE, else a prompt on a terminal)')
    .addHelpText(
      'after',
      '\nCity nodes that list this file (or its URL) under trust.revocations refuse the plugin at start\n' +
        'and unload it within one refresh interval. Exit codes: 0 revoked (or revoked already);\n' +
        '1 runtime error; 3 refused (not a certificate of this key, or a list that does not hold).',
    )
    .action(async (spec: string, opts: { key: string; list?: string; reason: string; log?: string; passphraseFile?: string }) => {
      const { path, certificate } = await readCertificate(resolve(io.cwd, spec));
      const keyPath = resolve(io.cwd, opts.key);
      const listPath = resolve(io.cwd, opts.list ?? revocationListFor(opts.key));
      const passphrase = await readPassphrase(io, opts.passphraseFile && resolve(io.cwd, opts.passphraseFile), {
        what: `certifier key ${opts.key}`,
      });
      const key = certifierKeyFromKeystore(await readKeystore(keyPath), passphrase);
      try {
        const self = trustOf(key);
        if (!verifyDocument(certificate, CERTIFICATE_DOMAIN, [self]).ok) {
          throw refusedExit(
            `${path} was not issued by this certifier key (it is signed by key ${certificate.signature.keyId}): only its issuer can revoke it`,
          );
        }
        const previous = await readList(listPath, self);
        const sha = certificateSha256(certificate);
        const already = previous?.payload.revocations.find((r) => r.payload.certificate.sha256 === sha);
        const revocation = already ?? revokeCertificate(certificate, key, { reason: opts.reason });
        if (opts.log) {
          try {
            const logged = await new LogClient(opts.log).submit(revocation);
            io.stderr(`revocation logged at index ${logged.index} of ${opts.log}${logged.duplicate ? ' (it was there already)' : ''}\n`);
          } catch (err) {
            // Nothing written yet: the list and the log stay in step.
            throw new CliExit(EXIT.runtime, `the log refused or did not answer; the list is unchanged: ${(err as Error).message}`);
          }
        }
        const p = certificate.payload.plugin;
        if (already) {
          io.stdout(`${p.name}@${p.version} was revoked already (list ${previous!.payload.sequence}, ${listPath})\n`);
          return;
        }
        const next = addToRevocationList(previous, revocation, key);
        await writeFileAtomic(listPath, `${JSON.stringify(next, null, 2)}\n`);
        io.stdout(`revoked ${p.name}@${p.version} ${p.digest} (${opts.reason}); ${listPath} is now list ${next.payload.sequence}\n`);
      } finally {
        key.privateKey.fill(0);
      }
    });
}

/** The key's own trust entry: what its certificates and lists must verify against. */
function trustOf(key: CertifierKey): TrustedCertifier {
  return { name: key.name, algorithm: key.algorithm, publicKey: toHex(publicKeyOf(key.algorithm, key.privateKey)) };
}

/** The certifier's current list, checked to be its own, or undefined when there is none yet. */
async function readList(path: string, self: TrustedCertifier): Promise<RevocationList | undefined> {
  let raw: unknown;
  try {
    raw = await fetchRevocationList(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw refusedExit(`the revocation list ${path} cannot be read: ${(err as Error).message}`);
  }
  try {
    revokedBy(raw, [self]);
  } catch (err) {
    if (isBsnError(err))
      throw refusedExit(`the revocation list ${path} is not this certifier's or does not hold: ${(err as Error).message}`);
    throw err;
  }
  return raw as RevocationList;
}

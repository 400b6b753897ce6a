/** `bsn identity new|show|bind` and `bsn ca new`: the one BSN identity and the network CA. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  toHex,
  writeFileAtomic,
  keyIdOf,
  ethereumAddress,
  bindAccount,
  assertUserId,
  createNetworkCa,
  issueIdentityCertificate,
  openNetworkCa,
  readNetworkCaFile,
  sealNetworkCa,
  writeNetworkCaFile,
  assertPurpose,
  BsnIdentity,
  openIdentity,
  readIdentityFile,
  sealIdentity,
  writeIdentityFile,
} from '@bsn/contract';
import { CliExit, EXIT, processIo, readPassphrase, type CliIo } from './io.js';

/** The accounts `identity show` lists: one per framework/algorithm the adapters use. */
export const SHOWN_ACCOUNTS: ReadonlyArray<{ framework: string; algorithm: KeyAlgorithm; address: boolean }> = [
  { framework: 'ethereum', algorithm: 'secp256k1', address: true },
  { framework: 'fabric', algorithm: 'secp256r1', address: false },
  { framework: 'fisco-bcos', algorithm: 'sm2', address: false },
  { framework: 'fisco-bcos', algorithm: 'secp256k1', address: true },
  { framework: 'eos', algorithm: 'secp256k1', address: false },
];

const usage = (message: string): CliExit => new CliExit(EXIT.usage, `error: ${message}`);

function parseDays(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 36_500)
    throw new InvalidArgumentError('must be a whole number of days from 1 to 36500');
  return Number(value);
}

function parseIndex(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 2 ** 31 - 1) throw new InvalidArgumentError('must be a whole number from 0 to 2147483647');
  return Number(value);
}

function parseScryptN(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1024 || n > 2 ** 20 || (n & (n - 1)) !== 0)
    throw new InvalidArgumentError('must be a power of two from 1024 to 1048576');
  return n;
}

function parseUserId(value: string): string {
  try {
    assertUserId(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

function parseAlgorithm(value: string): KeyAlgorithm {
  if (!(KEY_ALGORITHMS as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${KEY_ALGORITHMS.join(', ')}`);
  return value as KeyAlgorithm;
}

/** Cost option for tests and small devices; hidden because the default is the right choice. */
const scryptOption = () => new Option('--scrypt-n <n>', 'scrypt cost of the keystore (power of two)').argParser(parseScryptN).hideHelp();
const passphraseOption = () =>
  new Option('--passphrase-file <file>', 'read the keystore passphrase from a file (default: $BSN_PASSPHRASE)');

/** `ca.json` → `ca.cert.pem`: where the certificate goes beside a JSON file. */
export function certificateFileFor(path: string): string {
  return path.endsWith('.json') ? `${path.slice(0, -'.json'.length)}.cert.pem` : `${path}.cert.pem`;
}

/** readPassphrase's usage errors, with the `error:` prefix every message of these commands carries. */
async function passphrase(io: CliIo, file: string | undefined, options: { confirm?: boolean; what: string }): Promise<string> {
  try {
    return await readPassphrase(io, file, options);
  } catch (err) {
    if (err instanceof CliExit && !err.message.startsWith('error:')) throw new CliExit(err.exitCode, `error: ${err.message}`);
    throw err;
  }
}

/** The CA key's passphrase: its own file or $BSN_CA_PASSPHRASE, else the same sources as any keystore. */
async function caPassphrase(io: CliIo, file: string | undefined): Promise<string> {
  if (!file && io.env['BSN_CA_PASSPHRASE']) return io.env['BSN_CA_PASSPHRASE'];
  return passphrase(io, file, { what: 'network CA keystore' });
}

function refuseExisting(...paths: string[]): void {
  for (const p of paths) if (existsSync(p)) throw new CliExit(EXIT.runtime, `error: ${p} exists already; refusing to overwrite it`);
}

function defaultUserId(identity: BsnIdentity): string {
  return `id-${identity.masterKeyId.split(':')[1]!.slice(0, 16)}`;
}

function rows(pairs: Array<[string, string]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}\n`).join('');
}

export function registerIdentityCommands(program: Command, io: CliIo = processIo()): void {
  const at = (path: string) => resolve(io.cwd, path);
  const ask = (file: string | undefined, options: { confirm?: boolean; what: string }) => passphrase(io, file && at(file), options);
  const askCa = (file: string | undefined) => caPassphrase(io, file && at(file));

  const identity = program.command('identity').description('the one BSN identity: a secret from which every framework key is derived');

  identity
    .command('new')
    .description('create an identity secret in an encrypted file (and, with --ca, its certificate from the network CA)')
    .requiredOption('--out <file>', 'identity file to create (refuses to overwrite)')
    .option('--user <id>', 'user id the certificate names (default: derived from the master key)', parseUserId)
    .option('--portal <name>', 'portal (O=) named in the certificate')
    .option('--ca <ca.json>', 'network CA file (bsn ca new) to issue the identity certificate with')
    .option('--validity-days <days>', 'certificate validity', parseDays, 365)
    .addOption(passphraseOption())
    .option('--ca-passphrase-file <file>', 'passphrase of the CA keystore (default: $BSN_CA_PASSPHRASE, else the identity passphrase)')
    .addOption(scryptOption())
    .addHelpText(
      'after',
      '\nThe passphrase comes from --passphrase-file, else $BSN_PASSPHRASE, else a prompt on a terminal.\nWith --ca the certificate is also written beside the file as <name>.cert.pem.',
    )
    .action(
      async (opts: {
        out: string;
        user?: string;
        portal?: string;
        ca?: string;
        validityDays: number;
        passphraseFile?: string;
        caPassphraseFile?: string;
        scryptN?: number;
      }) => {
        const out = at(opts.out);
        const certOut = certificateFileFor(out);
        refuseExisting(out, ...(opts.ca ? [certOut] : []));
        const pass = await ask(opts.passphraseFile, { confirm: true, what: 'identity file' });
        const id = BsnIdentity.generate();
        const userId = opts.user ?? defaultUserId(id);
        let certificate: string | undefined;
        if (opts.ca) {
          const caFile = await readNetworkCaFile(at(opts.ca));
          const ca = openNetworkCa(caFile, await askCa(opts.caPassphraseFile));
          certificate = await issueIdentityCertificate(ca, {
            userId,
            ...(opts.portal !== undefined && { portal: opts.portal }),
            publicKey: id.masterPublicKey,
            validityDays: opts.validityDays,
          });
        }
        const file = sealIdentity(id, userId, pass, {
          ...(opts.scryptN && { scryptN: opts.scryptN }),
          ...(certificate && { certificate }),
        });
        await writeIdentityFile(out, file);
        if (certificate) await writeFileAtomic(certOut, certificate, { mode: 0o644 });
        io.stdout(
          rows([
            ['identity file', out],
            ['user id', userId],
            ['master key id', id.masterKeyId],
            ...(certificate ? [['certificate', certOut] as [string, string]] : []),
          ]),
        );
      },
    );

  identity
    .command('show')
    .description('print the user id, the master key and the derived chain accounts of an identity file')
    .argument('<file>', 'identity file')
    .addOption(passphraseOption())
    .option('--json', 'print JSON')
    .action(async (path: string, opts: { passphraseFile?: string; json?: boolean }) => {
      const file = await readIdentityFile(at(path));
      const id = openIdentity(file, await ask(opts.passphraseFile, { what: 'identity file' }));
      const accounts = SHOWN_ACCOUNTS.map(({ framework, algorithm, address }) => {
        const key = id.keyFor(framework, algorithm);
        return {
          framework,
          algorithm,
          keyId: keyIdOf(algorithm, key.publicKey),
          publicKey: toHex(key.publicKey),
          ...(address && { address: ethereumAddress(key.publicKey) }),
        };
      });
      let certificate: { valid: boolean; detail: string } | undefined;
      if (file.certificate) {
        const { X509Certificate } = await import('node:crypto');
        const c = new X509Certificate(file.certificate);
        certificate = {
          valid: Date.parse(c.validTo) > Date.now(),
          detail: `${c.subject.replace(/\n/g, ', ')}; issuer ${c.issuer.replace(/\n/g, ', ')}; valid to ${c.validTo}`,
        };
      }
      if (opts.json) {
        io.stdout(
          JSON.stringify(
            {
              userId: file.userId,
              masterKeyId: id.masterKeyId,
              masterPublicKey: toHex(id.masterPublicKey),
              certificate: certificate ?? null,
              accounts,
            },
            null,
            2,
          ) + '\n',
        );
        return;
      }
      io.stdout(
        rows([
          ['user id', file.userId],
          ['master key id', id.masterKeyId],
          ['master public key', toHex(id.masterPublicKey)],
          ['certificate', certificate ? certificate.detail : 'none (bsn identity new --ca)'],
        ]),
      );
      io.stdout('\naccounts (index 0)\n');
      for (const a of accounts) {
        io.stdout(`  ${a.framework} ${a.algorithm}\n    public key  ${a.publicKey}\n${a.address ? `    address     ${a.address}\n` : ''}`);
      }
    });

  identity
    .command('bind')
    .description('sign a key binding that ties a derived chain account to the identity (verifiable by any city node)')
    .argument('<file>', 'identity file (must hold a certificate, or pass --cert)')
    .requiredOption('--framework <name>', 'framework of the account: ethereum, fabric, fisco-bcos, eos…')
    .requiredOption('--algorithm <alg>', `key algorithm: ${KEY_ALGORITHMS.join(', ')}`, parseAlgorithm)
    .requiredOption('--account <id>', 'the framework-native account id (e.g. the 0x address)')
    .requiredOption('--out <file>', 'binding file to create (refuses to overwrite)')
    .option('--index <n>', 'account index', parseIndex, 0)
    .option('--cert <pem>', 'identity certificate file (default: the one in the identity file)')
    .addOption(passphraseOption())
    .action(
      async (
        path: string,
        opts: {
          framework: string;
          algorithm: KeyAlgorithm;
          account: string;
          out: string;
          index: number;
          cert?: string;
          passphraseFile?: string;
        },
      ) => {
        try {
          assertPurpose({ framework: opts.framework, algorithm: opts.algorithm, index: opts.index });
        } catch (err) {
          throw usage(`--framework: ${(err as Error).message}`);
        }
        if (opts.framework === 'bsn') throw usage("--framework: 'bsn' is the identity itself, not an account");
        const out = at(opts.out);
        refuseExisting(out);
        const file = await readIdentityFile(at(path));
        const { readFile } = await import('node:fs/promises');
        const certificate = opts.cert ? await readFile(at(opts.cert), 'utf8') : file.certificate;
        if (!certificate) throw usage(`${path} holds no certificate: create it with --ca or pass --cert <pem>`);
        const id = openIdentity(file, await ask(opts.passphraseFile, { what: 'identity file' }));
        const key = id.keyFor(opts.framework, opts.algorithm, opts.index);
        // Catch a pasted wrong address here rather than publish a binding nobody can use.
        if (opts.algorithm === 'secp256k1' && /^0x[0-9a-fA-F]{40}$/.test(opts.account)) {
          const expected = ethereumAddress(key.publicKey);
          if (opts.account.toLowerCase() !== expected.toLowerCase()) {
            throw usage(`--account ${opts.account} is not this identity's ${opts.framework} address at index ${opts.index} (${expected})`);
          }
        }
        const binding = bindAccount(id, certificate, {
          framework: opts.framework,
          algorithm: opts.algorithm,
          id: opts.account,
          publicKey: key.publicKey,
          index: opts.index,
        });
        await writeFileAtomic(out, JSON.stringify(binding, null, 2) + '\n', { mode: 0o644 });
        io.stdout(
          rows([
            ['binding', out],
            ['user id', binding.payload.userId],
            ['account', `${opts.framework} ${opts.algorithm} ${opts.account}`],
            ['account public key', binding.payload.accountPublicKey],
          ]),
        );
      },
    );

  const ca = program.command('ca').description('the network CA that certifies BSN identities');

  ca.command('new')
    .description('create a network CA: a P-256 key in an encrypted keystore and its self-signed certificate')
    .requiredOption('--out <file>', 'CA file to create (refuses to overwrite); the certificate also goes to <name>.cert.pem')
    .option('--name <name>', 'CA common name', 'BSN Network CA')
    .option('--validity-days <days>', 'certificate validity', parseDays, 3650)
    .addOption(passphraseOption())
    .addOption(scryptOption())
    .action(async (opts: { out: string; name: string; validityDays: number; passphraseFile?: string; scryptN?: number }) => {
      const out = at(opts.out);
      const certOut = certificateFileFor(out);
      refuseExisting(out, certOut);
      if (opts.name.trim() === '' || opts.name.length > 64) throw usage('--name must be 1-64 characters');
      const pass = await ask(opts.passphraseFile, { confirm: true, what: 'network CA keystore' });
      const created = await createNetworkCa({ name: opts.name, validityDays: opts.validityDays });
      await writeNetworkCaFile(out, sealNetworkCa(created, opts.name, pass, opts.scryptN ? { scryptN: opts.scryptN } : {}));
      await writeFileAtomic(certOut, created.certificatePem, { mode: 0o644 });
      io.stdout(
        rows([
          ['CA file', out],
          ['certificate', certOut],
          ['name', opts.name],
        ]),
      );
    });
}

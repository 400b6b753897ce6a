#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import { readKeystore, type DocumentSigningKey } from '@bsn/contract';
import { certifierKeyFromKeystore } from '@bsn/plugin-host';
import { runConformance } from './runner/run.js';
import { TargetUnavailableError, UnknownTargetError } from './runner/target.js';

export const CONFORMANCE_EXIT = { pass: 0, error: 1, usage: 2, fail: 3, unavailable: 4 } as const;

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('bsn conformance').exitOverride();
  program.description('run the adapter conformance suite');
  program
    .command('run')
    .description('run every case against one adapter on one chain target; writes conformance-report.json and .md')
    .requiredOption('--adapter <path|package>', 'plugin folder or installed package name')
    .requiredOption(
      '--target <name|config>',
      "a devnet the adapter contributes (its manifest's `devnets`, e.g. anvil) or a network config file",
    )
    .option('--out <dir>', 'where to write the report', '.')
    .option('--only <ids>', 'comma-separated case ids to run (default: all; a partial run is never certifiable)')
    .option(
      '--runner-key <file>',
      'sign the report with this runner key (a keystore from `bsn certifier new`; passphrase in BSN_PASSPHRASE or --passphrase-file): a certifier that trusts the runner certifies the report',
    )
    .option('--passphrase-file <file>', "file holding the runner key's passphrase")
    .addHelpText('after', '\nExit codes: 0 verdict pass, 1 error, 2 usage, 3 verdict fail, 4 target unavailable (reason printed).')
    .action(async (opts: { adapter: string; target: string; out: string; only?: string; runnerKey?: string; passphraseFile?: string }) => {
      const runner = opts.runnerKey ? await runnerKey(opts.runnerKey, opts.passphraseFile) : undefined;
      const { report } = await runConformance({
        adapter: opts.adapter,
        target: opts.target,
        outDir: opts.out,
        only: opts.only
          ? opts.only
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : [],
        ...(runner && { runner }),
      });
      setExit(report.verdict === 'pass' ? CONFORMANCE_EXIT.pass : CONFORMANCE_EXIT.fail);
    });
  return program;
}

/** The runner's signing key, decrypted with BSN_PASSPHRASE or the passphrase file. */
async function runnerKey(file: string, passphraseFile?: string): Promise<{ key: DocumentSigningKey; name: string }> {
  const passphrase = passphraseFile ? (await readFile(passphraseFile, 'utf8')).replace(/\r?\n$/, '') : process.env['BSN_PASSPHRASE'];
  if (!passphrase) throw new Error(`the runner key ${file} needs its passphrase: set BSN_PASSPHRASE or pass --passphrase-file`);
  const key = certifierKeyFromKeystore(await readKeystore(file), passphrase, 'unnamed runner');
  return { key, name: key.name };
}

/** Runs `conformance <args>`; resolves to the exit code. Used by `bsn conformance` and the bin. */
export async function runConformanceCli(args: string[]): Promise<number> {
  let code: number = CONFORMANCE_EXIT.pass;
  try {
    await buildProgram((c) => (code = c)).parseAsync(args, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.exitCode === 0 ? 0 : CONFORMANCE_EXIT.usage;
    }
    if (error instanceof UnknownTargetError) {
      process.stderr.write(`error: ${error.message}\n`);
      return CONFORMANCE_EXIT.usage;
    }
    if (error instanceof TargetUnavailableError) {
      process.stderr.write(`skipped: ${error.message}\n`);
      return CONFORMANCE_EXIT.unavailable;
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return CONFORMANCE_EXIT.error;
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  runConformanceCli(process.argv.slice(2)).then((code) => process.exit(code));
}

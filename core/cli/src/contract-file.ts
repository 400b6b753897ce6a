/**
 * A contract package file as `bsn app deploy|upgrade` send it: read, parsed and checked by the
 * kit (schema, sizes, the ABI against the code) before anything is sent, so a bad package is a
 * usage error naming the file and the field, and reaches no node.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { checkArgs, checkContractPackage, checkMethod, isBsnError, type ContractCall, type ContractSource } from '@bsn/contract';
import { CliExit, EXIT, type CliIo } from './io.js';

/**
 * The contract source for `file` (a contract package: `{ format, … }`, schemas/contract-package.schema.json)
 * with `call` (its initializer at deploy, its migration at upgrade) when a method is given.
 */
export async function contractFromFile(io: CliIo, file: string, call: { method?: string; args: string[] }): Promise<ContractSource> {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliExit(EXIT.runtime, `cannot read the contract package ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CliExit(EXIT.usage, `${file}: a contract package is JSON (${(err as Error).message})`);
  }
  try {
    const pkg = checkContractPackage(json, '/contract/package');
    if (call.method === undefined) {
      if (call.args.length) throw new CliExit(EXIT.usage, '--arg is an argument of the call named by --init or --migrate, and none is');
      return { kind: 'package', package: pkg };
    }
    const checked: ContractCall = { method: checkMethod(call.method, '/contract/call/method'), args: call.args };
    checkArgs(checked.args, '/contract/call/args');
    return { kind: 'package', package: pkg, call: checked };
  } catch (err) {
    if (isBsnError(err, 'INVALID_INPUT')) throw new CliExit(EXIT.usage, `${file}: ${err.field ?? '/contract'}: ${err.message}`);
    throw err;
  }
}

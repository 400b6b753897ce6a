/**
 * A city node's REST client signed as a user, from a key file { user, algorithm, privateKey }
 * (default .bsn/demo-user.json, which `npm start` writes).
 */
import { resolve } from 'node:path';
import { BsnClient } from '@bsn/client';
import { fromHex, type KeyAlgorithm } from '@bsn/contract';
import { readDemoKey } from '@bsn/city-node';
import { CliExit, EXIT, type CliIo } from './io.js';

export interface UserClientOptions {
  /** The node's REST URL. */
  node: string;
  key?: string;
}

export async function userClient(io: CliIo, opts: UserClientOptions): Promise<BsnClient> {
  const file = resolve(io.cwd, opts.key ?? '.bsn/demo-user.json');
  let key: { user: string; algorithm: KeyAlgorithm; privateKey: string };
  try {
    key = await readDemoKey(file);
  } catch (err) {
    throw new CliExit(EXIT.runtime, `cannot read the user key ${file}: ${(err as Error).message}`);
  }
  return new BsnClient({ baseUrl: opts.node, user: key.user, algorithm: key.algorithm, privateKey: fromHex(key.privateKey) });
}

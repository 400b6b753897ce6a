import { execFile } from 'node:child_process';
import { goSdkProbePath } from '../devnets/go-sdk-probe.js';

/** What the FISCO Go SDK probe prints (tools/go-sdk-probe/main.go). */
export interface ProbeOutput {
  hash: string;
  signature: string;
  raw: string;
  sender: string;
  response?: { result?: Record<string, unknown>; error?: { code: number; message: string } };
  /** The node's receipt as go-sdk's types.Receipt decoded it (Go field names). */
  receipt?: Record<string, unknown>;
  decodeError?: string;
}

/**
 * Runs the probe: a transaction built, signed and (with `url`) sent by FISCO's Go SDK.
 * Asynchronously: the emulator it talks to may run in this very process.
 */
export function runProbe(o: {
  crypto: 'standard' | 'sm';
  key: string;
  blockLimit: number;
  nonce: string;
  to?: string;
  input?: string;
  abi?: string;
  chain?: string;
  tamper?: 'hash' | 'signature';
  url?: string;
}): Promise<ProbeOutput> {
  const args = ['--crypto', o.crypto, '--key', o.key, '--block-limit', String(o.blockLimit), '--nonce', o.nonce];
  if (o.to) args.push('--to', o.to);
  if (o.input) args.push('--input', o.input);
  if (o.abi) args.push('--abi', o.abi);
  if (o.chain) args.push('--chain', o.chain);
  if (o.tamper) args.push('--tamper', o.tamper);
  if (o.url) args.push('--url', o.url);
  return new Promise((resolve, reject) => {
    execFile(goSdkProbePath(), args, { encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`go-sdk-probe failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as ProbeOutput);
    });
  });
}

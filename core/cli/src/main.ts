#!/usr/bin/env node
// The `bsn` executable. Commands live in program.ts; exit codes are listed in `bsn --help`.
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2));
// Keep a failure code a command set itself (process.exitCode) when runCli saw success.
if (code !== 0 || !process.exitCode) process.exitCode = code;

export type { Availability, ChainBlock, ChainReader, Devnet, DevnetProvider, StartedDevnet, TargetKind } from '@bsn/contract';
export { containerEngine, loadTestcontainers } from './container-engine.js';
export type { StartedNetwork, StartedTestContainer } from 'testcontainers';
export { freePort } from './free-port.js';
export { ensureGoBinary, goBinaryPath, goVersion, type GoCommand, type Progress } from './go-build.js';
export { NodeProcess, type NodeProcessOptions } from './node-process.js';
export { cacheDir, repoRoot } from './paths.js';
export { jsonRpc, waitFor, type WaitOptions } from './readiness.js';
export { evmJsonRpcReader } from './evm-reader.js';

/** Test helpers: a city node over an in-memory chain, users, a throwaway PostgreSQL (this repo's tests; not for production use). */
export { MemoryChain, memoryAdapter, memoryFactory } from './memory-adapter.js';
export { startPostgres, skipReason, type PostgresServer } from './postgres-server.js';
export { memoryNetwork, newKey, silentLogger, startTestNode, type TestUser } from './test-node.js';

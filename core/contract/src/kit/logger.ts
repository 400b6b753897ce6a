import type { Logger } from '../contract/adapter.js';

/** A logger that drops everything: for an adapter used without a host's context (a tool, a library caller). */
export const NOOP_LOGGER: Logger = Object.freeze({ debug() {}, info() {}, warn() {}, error() {} });

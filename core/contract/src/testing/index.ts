/** Helpers for adapters' own tests and the conformance suite (not for production code). */
export { SILENT_LOGGER, bytes, testContext, text, unique } from './helpers.js';
export { describedByManifest, type ManifestDescribed } from './manifest.js';
export { takeEvents } from './take-events.js';

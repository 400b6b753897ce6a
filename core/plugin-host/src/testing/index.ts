/** Test helpers for plugin folders, certifiers and reports (this repo's tests; not for production use). */
export {
  FACTORY_SOURCE,
  FIXTURE_SUITE,
  makeCertifier,
  makePluginFolder,
  makeReport,
  writeFiles,
  type FixtureOptions,
} from './make-plugin.js';

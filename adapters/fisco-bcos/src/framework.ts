import { readPluginManifest } from '@bsn/contract';

/** This plugin's manifest (`bsn-plugin.json`): the one place its name, framework and claims are written. */
export const MANIFEST = readPluginManifest(new URL('../bsn-plugin.json', import.meta.url));
export const FRAMEWORK = MANIFEST.framework;

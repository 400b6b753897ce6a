/**
 * A network config read against the JSON Schema the plugin ships (`configSchema` in its
 * manifest): the host checks every config against it before `connect()`, and an adapter
 * connected directly (its own tests, a tool) refuses the same configs with the same pointers.
 * What the schema says is not written again by hand: an adapter keeps only what a schema cannot
 * say (rules across fields it cannot express, parsing, defaults).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NetworkConfig } from '../contract/adapter.js';
import { InvalidInputError } from '../errors/errors.js';
import { compileSchema, formatViolations, type ValidationResult } from '../schemas/validator.js';

const validators = new Map<string, (value: unknown) => ValidationResult>();

/** The compiled schema at `schemaUrl`, once per URL; throws (a packaging error, not bad input) when it is unusable. */
function validatorAt(schemaUrl: URL): (value: unknown) => ValidationResult {
  let validate = validators.get(schemaUrl.href);
  if (!validate) {
    try {
      validate = compileSchema(JSON.parse(readFileSync(schemaUrl, 'utf8')) as object);
    } catch (error) {
      throw new Error(`the network config schema ${fileURLToPath(schemaUrl)} is not a usable JSON Schema: ${(error as Error).message}`, {
        cause: error,
      });
    }
    validators.set(schemaUrl.href, validate);
  }
  return validate;
}

/**
 * `network` as the plugin's config type once it matches the schema at `schemaUrl`
 * (`new URL('../network-config.schema.json', import.meta.url)` from `src/` and `dist/`).
 * Otherwise InvalidInputError listing every violation, one per line
 * (`network /rpcUrl: must match the pattern …`), whose `field` is the first one's JSON pointer.
 */
export function readNetworkConfig<T extends NetworkConfig>(network: unknown, schemaUrl: URL): T {
  const result = validatorAt(schemaUrl)(network);
  if (result.ok) return network as T;
  const name = (network as { name?: unknown } | null)?.name;
  const which = typeof name === 'string' ? `network config of ${name}` : 'the network config';
  throw new InvalidInputError(`${which} does not match its schema:\n${formatViolations('network', result.violations)}`, {
    field: result.violations[0]?.pointer || '/',
  });
}

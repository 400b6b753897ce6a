/**
 * JSON Schema validation for the repository's `schemas/*.schema.json` (draft 2020-12, ajv).
 *
 * Schemas are found by walking up from this module's folder to the first directory that
 * has a `schemas/` folder holding `plugin-manifest.schema.json`: from `core/contract/src/schemas`
 * (tests) and `core/contract/dist/schemas` (run time in the workspace) that is the repository root;
 * a packed `@bsn/contract` carries its own copy in `core/contract/schemas/` (copied by `prepack`).
 * `BSN_SCHEMAS_DIR` overrides the search.
 *
 * Every schema in the folder is registered by its `$id`, so schemas may `$ref` each other;
 * each is compiled on first use. Errors list every violation, each naming the field as a
 * JSON pointer and saying what was expected and what was found:
 * `manifest /adapterApi: must be string (got number)`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import semver from 'semver';
import { InvalidInputError } from '../errors/errors.js';

const addFormats = addFormatsModule.default;

const MARKER = 'plugin-manifest.schema.json';

/** Base URL of every schema `$id`: `https://bsn.dev/schemas/<name>.schema.json`. */
export const SCHEMA_BASE = 'https://bsn.dev/schemas/';

let schemasDirCache: string | undefined;

/** The folder holding the JSON schemas (see the module comment for the search rule). */
export function schemasDir(): string {
  const override = process.env['BSN_SCHEMAS_DIR'];
  if (override) return override;
  if (schemasDirCache) return schemasDirCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'schemas');
    if (existsSync(join(candidate, MARKER))) return (schemasDirCache = candidate);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(
    `cannot find the BSN JSON schemas (a schemas/ folder with ${MARKER}) above ${fileURLToPath(import.meta.url)}; set BSN_SCHEMAS_DIR`,
  );
}

/** One violation: where (JSON pointer into the value) and what. */
export interface SchemaViolation {
  /** JSON pointer to the offending field (`` for the whole value). */
  pointer: string;
  /** What was expected and what was found, e.g. `must be string (got number)`. */
  message: string;
  /** The ajv keyword that failed (`type`, `required`, `pattern`…). */
  keyword: string;
}

export type ValidationResult = { ok: true } | { ok: false; violations: SchemaViolation[] };

let ajvInstance: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();
const brokenSchemas = new Map<string, string>();

function ajv(): Ajv2020 {
  if (ajvInstance) return ajvInstance;
  const instance = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(instance);
  // `semver-range`: anything node-semver accepts as a range (`^1.0.0`, `>=2.5 <3`, `1.x`).
  instance.addFormat('semver-range', { type: 'string', validate: (s: string) => semver.validRange(s) !== null });
  const dir = schemasDir();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.schema.json'))
    .sort()) {
    // One broken schema must not take the others down: it fails when it is asked for.
    try {
      const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { $id?: string };
      instance.addSchema(schema, schema.$id ?? SCHEMA_BASE + file);
    } catch (err) {
      brokenSchemas.set(SCHEMA_BASE + file, `${join(dir, file)}: ${(err as Error).message}`);
    }
  }
  return (ajvInstance = instance);
}

/**
 * Compiles a schema that is not one of the repository's (a plugin's own `configSchema`) in an
 * instance of its own, so its `$id` can never shadow or be shadowed by another plugin's.
 * Throws when the schema itself is invalid.
 */
export function compileSchema(schema: object): (value: unknown) => ValidationResult {
  const instance = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(instance);
  const fn = instance.compile(schema);
  return (value) => (fn(value) ? { ok: true } : { ok: false, violations: describeErrors(fn.errors ?? []) });
}

/** The schema's `$id` for a short name: `plugin-manifest` → `https://bsn.dev/schemas/plugin-manifest.schema.json`. */
export function schemaId(name: string): string {
  return name.includes('://') ? name : `${SCHEMA_BASE}${name}.schema.json`;
}

function validatorFor(name: string): ValidateFunction {
  const id = schemaId(name);
  let fn = compiled.get(id);
  if (!fn) {
    const instance = ajv();
    const broken = brokenSchemas.get(id);
    if (broken) throw new Error(`JSON schema ${id} is unusable: ${broken}`);
    fn = instance.getSchema(id);
    if (!fn) throw new Error(`no JSON schema ${id} in ${schemasDir()}`);
    compiled.set(id, fn);
  }
  return fn;
}

/** Validates `value` against the named schema (`plugin-manifest`, `conformance-report`, …). */
export function validateSchema(name: string, value: unknown): ValidationResult {
  const fn = validatorFor(name);
  if (fn(value)) return { ok: true };
  return { ok: false, violations: describeErrors(fn.errors ?? []) };
}

/**
 * Validates and throws an InvalidInputError listing every violation, one per line, each
 * prefixed by `label` (`manifest /adapterApi: must be string (got number)`). The error's
 * `field` is the first violation's pointer.
 */
export function assertSchema<T>(name: string, value: unknown, label: string): asserts value is T {
  const result = validateSchema(name, value);
  if (result.ok) return;
  throw new InvalidInputError(formatViolations(label, result.violations), {
    field: result.violations[0]?.pointer || '/',
  });
}

/** `label /pointer: message` lines. */
export function formatViolations(label: string, violations: SchemaViolation[]): string {
  return violations.map((v) => `${label} ${v.pointer || '/'}: ${v.message}`).join('\n');
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isInteger(value)) return 'integer';
  return typeof value;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'object' && value !== null) return typeOf(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function list(values: unknown): string {
  return Array.isArray(values) ? values.map((v) => JSON.stringify(v)).join(', ') : JSON.stringify(values);
}

/** Turns ajv's errors into pointer + human message, dropping the noise of `if`/`allOf` wrappers. */
export function describeErrors(errors: ErrorObject[]): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // `if`/`then` reports the failing `then` keyword itself; the wrapper adds nothing.
    if (e.keyword === 'if') continue;
    const p = e.params as Record<string, unknown>;
    let pointer = e.instancePath;
    let message: string;
    switch (e.keyword) {
      case 'type': {
        const t = typeOf(e.data);
        message = `must be ${String(p['type']).replace(/,/g, ' or ')} (got ${t === 'integer' ? 'number' : t})`;
        break;
      }
      case 'required':
        pointer += `/${escapePointer(String(p['missingProperty']))}`;
        message = 'is required (missing)';
        break;
      case 'additionalProperties':
        pointer += `/${escapePointer(String(p['additionalProperty']))}`;
        message = 'is not allowed (unknown property)';
        break;
      case 'enum':
        message = `must be one of ${list(p['allowedValues'])} (got ${show(e.data)})`;
        break;
      case 'const':
        message = `must be ${JSON.stringify(p['allowedValue'])} (got ${show(e.data)})`;
        break;
      case 'pattern':
        message = `must match the pattern ${String(p['pattern'])} (got ${show(e.data)})`;
        break;
      case 'format':
        message = `must be a valid ${String(p['format'])} (got ${show(e.data)})`;
        break;
      case 'uniqueItems':
        message = `must not repeat items (items ${String(p['j'])} and ${String(p['i'])} are equal)`;
        break;
      case 'minItems':
        message = `must have at least ${String(p['limit'])} item(s) (got ${Array.isArray(e.data) ? e.data.length : show(e.data)})`;
        break;
      case 'maxItems':
        message = `must have at most ${String(p['limit'])} item(s) (got ${Array.isArray(e.data) ? e.data.length : show(e.data)})`;
        break;
      case 'minLength':
        message = `must be at least ${String(p['limit'])} character(s) long (got ${show(e.data)})`;
        break;
      case 'maxLength':
        message = `must be at most ${String(p['limit'])} characters long (got ${typeof e.data === 'string' ? e.data.length : show(e.data)})`;
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        message = `${e.message ?? e.keyword} (got ${show(e.data)})`;
        break;
      default:
        message = `${e.message ?? `fails ${e.keyword}`} (got ${show(e.data)})`;
    }
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ pointer, message, keyword: e.keyword });
  }
  return out;
}

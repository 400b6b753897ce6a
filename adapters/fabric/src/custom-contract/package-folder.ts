import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { InvalidInputError, type FabricNodeChaincodePackage } from '@bsn/contract';
import { PROVIDED_PACKAGES } from './chaincode-confinement.js';

/**
 * A package's dependencies must be there when its server starts, and nothing is installed
 * from a registry on the node's machine: each one is provided by the node (the shim and the
 * contract API) or shipped in the package under node_modules/<name>/. Refused otherwise, at
 * the package.json, before anything is written.
 */
export function checkDependencies(pkg: FabricNodeChaincodePackage, field = '/contract/package'): void {
  const manifest = JSON.parse(Buffer.from(pkg.files['package.json']!, 'base64').toString('utf8')) as {
    dependencies?: Record<string, unknown>;
  };
  const provided = new Set<string>(PROVIDED_PACKAGES);
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    if (provided.has(name) || pkg.files[`node_modules/${name}/package.json`] !== undefined) continue;
    throw new InvalidInputError(
      `${field}/files/package.json: dependency ${JSON.stringify(name)} is neither provided by the node (${PROVIDED_PACKAGES.join(', ')}) nor shipped in the package (node_modules/${name}/)`,
      { field: `${field}/files/package.json` },
    );
  }
}

/**
 * Writes the package's files into `dir` (emptied first: a retried deploy starts clean). The
 * schema already refused absolute paths and `..`; each path is checked to stay inside once
 * more, since this is where a path would escape.
 */
export function writePackage(pkg: FabricNodeChaincodePackage, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const root = resolve(dir) + sep;
  for (const [path, base64] of Object.entries(pkg.files)) {
    const target = resolve(dir, path);
    if (!target.startsWith(root))
      throw new InvalidInputError(`/contract/package/files: ${path} leaves the package`, { field: '/contract/package/files' });
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, Buffer.from(base64, 'base64'), { mode: 0o444 });
  }
}

/** The folder of one app version's package under the adapter's data dir. */
export function versionFolder(dataDir: string, chaincode: string, sequence: number): string {
  return join(dataDir, 'custom-chaincode', chaincode, `v${sequence}`);
}

/**
 * `bsn adapter new <name> --out <dir>`: a vendor's starting point. It copies the adapter
 * template (every contract part implemented simply over the memory devnet), renamed for the
 * framework, built and runnable at once: `bsn conformance run --adapter <dir>/<name> --target
 * memory` passes out of the box. The template is found at run time by package name, like the
 * conformance kit: the CLI never imports an adapter.
 */
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { CliExit, EXIT, type CliIo } from './io.js';

const TEMPLATE = '@bsn/adapter-template';
const CONTRACT = '@bsn/contract';
/** A framework name as the manifest schema takes it, short enough for class names. */
const NAME = /^[a-z][a-z0-9-]{0,39}$/;

function frameworkName(value: string): string {
  if (!NAME.test(value))
    throw new InvalidArgumentError('a framework name is lowercase letters, digits and dashes, starting with a letter (e.g. acme)');
  return value;
}

const pascal = (name: string) =>
  name
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
const camel = (name: string) => pascal(name).charAt(0).toLowerCase() + pascal(name).slice(1);

function packageFolder(name: string): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** Every file under `dir`, relative, skipping tests and fixtures (they belong to the template, not the scaffold). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || /\.test\.[cm]?[jt]s(\.map)?$|\.test\.d\.ts$|\.tsbuildinfo$/.test(entry.name)) continue;
    const path = relative(dir, join(entry.parentPath, entry.name));
    if (path.split(sep).includes('__fixtures__')) continue;
    out.push(path);
  }
  return out;
}

export async function scaffoldAdapter(name: string, outDir: string, progress: (line: string) => void): Promise<string> {
  const template = packageFolder(TEMPLATE);
  if (!template)
    throw new CliExit(EXIT.runtime, `the adapter template is not installed (${TEMPLATE}); in this repository it is adapters/template`);
  if (!existsSync(join(template, 'dist', 'index.js')))
    throw new CliExit(EXIT.runtime, `the adapter template is not built (${template}/dist): run npm run build`);
  const contract = packageFolder(CONTRACT);
  if (!contract) throw new CliExit(EXIT.runtime, `${CONTRACT} is not installed`);
  const target = resolve(outDir, name);
  if (existsSync(target) && readdirSync(target).length > 0) throw new CliExit(EXIT.usage, `${target} exists and is not empty`);

  const rename = (text: string) =>
    text.replaceAll('templateAdapterFactory', `${camel(name)}AdapterFactory`).replace(/\bTemplate(?=[A-Z])/g, pascal(name));
  for (const folder of ['src', 'dist']) {
    for (const file of await filesUnder(join(template, folder))) {
      const to = join(target, folder, file);
      await mkdir(dirname(to), { recursive: true });
      await writeFile(to, rename(await readFile(join(template, folder, file), 'utf8')));
    }
  }
  await cp(join(template, 'README.md'), join(target, 'README.md'));

  const manifest = JSON.parse(await readFile(join(template, 'bsn-plugin.json'), 'utf8')) as Record<string, unknown>;
  const packageName = `bsn-adapter-${name}`;
  await writeJson(join(target, 'bsn-plugin.json'), { ...manifest, name: packageName, version: '0.1.0', framework: name });
  const schema = JSON.parse(await readFile(join(template, 'network-config.schema.json'), 'utf8')) as Record<string, unknown> & {
    properties: Record<string, unknown>;
  };
  schema.properties['framework'] = { const: name };
  await writeJson(join(target, 'network-config.schema.json'), {
    ...schema,
    $id: `https://bsn.dev/schemas/${packageName}/network-config.schema.json`,
    title: `Network config of ${packageName}`,
  });
  const contractVersion = (JSON.parse(await readFile(join(contract, 'package.json'), 'utf8')) as { version: string }).version;
  const ownPackage = JSON.parse(await readFile(join(template, 'package.json'), 'utf8')) as Record<string, unknown>;
  await writeJson(join(target, 'package.json'), {
    ...ownPackage,
    name: packageName,
    version: '0.1.0',
    description: `BSN framework adapter for ${name}`,
    dependencies: { [CONTRACT]: `^${contractVersion}` },
    devDependencies: { '@types/node': '^20.19.0', typescript: '^5.9.0' },
  });
  const base = JSON.parse(
    await readFile(join(template, '..', '..', 'tsconfig.base.json'), 'utf8').catch(() => '{"compilerOptions":{}}'),
  ) as { compilerOptions: Record<string, unknown> };
  await writeJson(join(target, 'tsconfig.json'), {
    compilerOptions: { ...base.compilerOptions, composite: false, rootDir: 'src', outDir: 'dist' },
    include: ['src/**/*.ts'],
    exclude: ['src/**/*.test.ts'],
  });
  // Runnable now, from any folder: the contract package this CLI uses; `npm install` replaces the link.
  await mkdir(join(target, 'node_modules', '@bsn'), { recursive: true });
  await symlink(contract, join(target, 'node_modules', '@bsn', 'contract'), 'dir');
  progress(`linked node_modules/${CONTRACT} → ${contract} (npm install replaces it with the published package)`);
  return target;
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

export function registerAdapterCommands(program: Command, io: CliIo): void {
  const adapter = program.command('adapter').description('write a framework adapter plugin');
  adapter
    .command('new')
    .description('scaffold an adapter from the template: every contract part, built, passing the suite on the memory devnet')
    .argument('<name>', 'the framework name (lowercase, e.g. acme); the package is bsn-adapter-<name>', frameworkName)
    .requiredOption('--out <dir>', 'where to create the <name>/ folder')
    .addHelpText('after', '\nThen: bsn conformance run --adapter <dir>/<name> --target memory; the guide is docs/writing-an-adapter.md.')
    .action(async (name: string, opts: { out: string }) => {
      const target = await scaffoldAdapter(name, resolve(io.cwd, opts.out), (line) => io.stderr(`${line}\n`));
      io.stdout(`created bsn-adapter-${name} in ${target}\n`);
      io.stdout(`next: bsn conformance run --adapter ${target} --target memory --out ${join(target, 'conformance')}\n`);
      io.stdout('then replace the memory node with your framework, part by part: see docs/writing-an-adapter.md\n');
    });
}

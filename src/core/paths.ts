// Where the project's own folders are, independent of the current directory, both when run
// from the TypeScript sources (a git checkout, through tsx) and from the compiled package
// (dist/): code (adapters, generators) is found beside this file's tree, data (scenario
// YAML, the schema, package.json) at the package root.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const THIS_FILE = fileURLToPath(import.meta.url);

/** The root of the code tree: the checkout itself, or `<package>/dist` when compiled. */
export const CODE_ROOT = path.resolve(path.dirname(THIS_FILE), '../..');
/** The package root, with package.json, scenarios/ and schemas/. */
export const PROJECT_ROOT = existsSync(path.join(CODE_ROOT, 'package.json')) ? CODE_ROOT : path.dirname(CODE_ROOT);
/** `.ts` from the sources, `.js` when compiled: the extension of modules loaded by path. */
export const MODULE_EXTENSION = path.extname(THIS_FILE);

export const SCENARIOS_DIR = path.join(PROJECT_ROOT, 'scenarios');
export const GENERATORS_DIR = path.join(CODE_ROOT, 'scenarios', 'generators');
export const ADAPTERS_DIR = path.join(CODE_ROOT, 'adapters');
export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'schemas', 'scenario.schema.json');
export const PACKAGE_FILE = path.join(PROJECT_ROOT, 'package.json');

// Where the project's own folders are, independent of the current directory.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCENARIOS_DIR = path.join(PROJECT_ROOT, 'scenarios');
export const ADAPTERS_DIR = path.join(PROJECT_ROOT, 'adapters');
export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'schemas', 'scenario.schema.json');

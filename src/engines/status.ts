// `authz-bench engines status`: per engine, pinned and installed version and which launch
// strategies are available here.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { dockerReachable } from './container.ts';
import { installedVersion } from './install.ts';
import { binaryPath } from './paths.ts';
import { ENGINE_PINS, SERVER_ENGINE_IDS, type ServerEngineId } from './pins.ts';
import { findPostgresBinDir } from './postgres.ts';

export interface EngineStatusRow {
  id: ServerEngineId;
  name: string;
  pinned: string;
  /** Version the installed binary reports; absent when not installed. */
  installed?: string;
  binary: string;
  image: string;
  local: 'ready' | 'not installed' | 'wrong version';
  container: 'ready' | 'no docker';
  /** What `--launch auto` would do. */
  auto: 'local' | 'container' | 'skip';
}

export async function engineStatus(): Promise<EngineStatusRow[]> {
  const docker = await dockerReachable();
  return SERVER_ENGINE_IDS.map((id) => {
    const pin = ENGINE_PINS[id];
    const binary = binaryPath(id);
    const installed = existsSync(binary) ? installedVersion(id, binary) : undefined;
    const local = !installed ? 'not installed' : installed === pin.version ? 'ready' : 'wrong version';
    return {
      id,
      name: pin.name,
      pinned: pin.version,
      ...(installed ? { installed } : {}),
      binary,
      image: pin.image,
      local,
      container: docker ? 'ready' : 'no docker',
      auto: installed ? 'local' : docker ? 'container' : 'skip',
    } satisfies EngineStatusRow;
  });
}

export function formatStatus(rows: readonly EngineStatusRow[]): string {
  const header = ['engine', 'pinned', 'installed', 'local', 'container', 'auto', 'binary'];
  const body = rows.map((r) => [r.id, r.pinned, r.installed ?? '-', r.local, r.container, r.auto, path.relative(process.cwd(), r.binary) || r.binary]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [header, ...body].map((cols) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** One line on the PostgreSQL that OpenFGA's `postgres` configuration starts, or why it cannot. */
export function postgresStatus(): string {
  const found = findPostgresBinDir();
  return 'missing' in found ? `openfga[postgres] datastore: ${found.missing}` : `openfga[postgres] datastore: PostgreSQL programs in ${found.binDir}`;
}

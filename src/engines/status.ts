// `authz-bench engines status`: per engine with something to install, pinned and installed
// version and which launch strategies are available here; then the engines with nothing to install.

import path from 'node:path';
import type { EngineComponent, EngineDefinition } from '../core/adapter.ts';
import { dockerReachable } from './container.ts';
import { installable, installedVersion, installLocation } from './install.ts';

export interface EngineStatusRow {
  id: string;
  name: string;
  pinned: string;
  /** Version of what is installed; absent when not installed. */
  installed?: string;
  location: string;
  image?: string;
  local: 'ready' | 'not installed' | 'wrong version';
  container: 'ready' | 'no docker' | 'no image';
  /** What `--launch auto` would do. */
  auto: 'local' | 'container' | 'skip';
}

export async function engineStatus(definitions: readonly EngineComponent[]): Promise<EngineStatusRow[]> {
  const docker = await dockerReachable();
  return installable(definitions).map((d) => {
    const installed = installedVersion(d);
    const local = !installed ? 'not installed' : installed === d.version ? 'ready' : 'wrong version';
    const container = !d.image ? 'no image' : docker ? 'ready' : 'no docker';
    return {
      id: d.id,
      name: d.name,
      pinned: d.version,
      ...(installed ? { installed } : {}),
      location: installLocation(d),
      ...(d.image ? { image: d.image } : {}),
      local,
      container,
      auto: installed ? 'local' : container === 'ready' ? 'container' : 'skip',
    } satisfies EngineStatusRow;
  });
}

export function formatStatus(rows: readonly EngineStatusRow[], definitions: readonly EngineDefinition[] = []): string {
  const header = ['engine', 'pinned', 'installed', 'local', 'container', 'auto', 'location'];
  const body = rows.map((r) => [r.id, r.pinned, r.installed ?? '-', r.local, r.container, r.auto, path.relative(process.cwd(), r.location) || r.location]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const table = [header, ...body].map((cols) =>
    cols
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  return [...table, ...inProcessLines(definitions), ...definitions.flatMap((d) => d.prerequisites?.() ?? [])].join('\n');
}

/** The engines with nothing to install (in-process, or reached by URL), so the list names every engine. */
function inProcessLines(definitions: readonly EngineDefinition[]): string[] {
  const embedded = definitions.filter((d) => d.install.kind === 'embedded');
  if (embedded.length === 0) return [];
  const describe = (d: EngineDefinition) => (d.role === 'remote' ? `${d.id} (a decision point by URL: --engine ${d.id}=<url>)` : d.version === '-' ? d.id : `${d.id} ${d.version}`);
  return [`nothing to install (in-process, or reached by URL): ${embedded.map(describe).join(', ')}`];
}

// How a server engine is obtained: the launch choice (local, container, url) and the
// credentials of a server reached by URL. The strategies themselves are in server-engine.ts.

import type { EngineDefinition, LaunchRequest } from '../core/adapter.ts';
import { dockerReachable } from './container.ts';
import { isInstalled } from './paths.ts';
import { environmentSecrets, redact } from '../core/redact.ts';

export type LaunchStrategy = LaunchRequest['strategy'];

export type LaunchChoice = { launch: 'local' | 'container' | 'url' } | { launch: 'skip'; reason: string };

export interface LaunchEnvironment {
  installed: boolean;
  docker: () => Promise<boolean>;
  url?: string;
}

/** Picks how to start an engine. `auto`: url if given, else local if installed, else container if Docker answers, else skip. */
export async function chooseLaunch(definition: Pick<EngineDefinition, 'id' | 'install'>, requested: LaunchStrategy, env?: Partial<LaunchEnvironment>): Promise<LaunchChoice> {
  const id = definition.id;
  const installed = env?.installed ?? isInstalled(definition);
  const docker = env?.docker ?? (() => dockerReachable());
  const goNote = definition.install.kind === 'go' ? ` (needs Go >= ${definition.install.minGo.major}.${definition.install.minGo.minor})` : '';
  switch (requested) {
    case 'url':
      return env?.url ? { launch: 'url' } : { launch: 'skip', reason: `${id}: --launch url needs --engine ${id}=http://host:port` };
    case 'local':
      return installed ? { launch: 'local' } : { launch: 'skip', reason: `${id} is not installed: run \`authz-bench engines install\`${goNote}` };
    case 'container':
      return (await docker()) ? { launch: 'container' } : { launch: 'skip', reason: `${id}: no Docker engine reachable for --launch container` };
    case 'auto':
      if (env?.url) return { launch: 'url' };
      if (installed) return { launch: 'local' };
      if (await docker()) return { launch: 'container' };
      return { launch: 'skip', reason: `${id} is not installed and no Docker engine is reachable: run \`authz-bench engines install\`${goNote}, or use --launch url` };
  }
}

/** The environment variable prefix of an engine's credentials: AUTHZ_BENCH_<ID>_. */
export const envPrefix = (engineId: string): string => `AUTHZ_BENCH_${engineId.toUpperCase().replace(/-/g, '_')}_`;

/**
 * Credentials for an engine reached by URL, from the environment only:
 * AUTHZ_BENCH_<ENGINE>_TOKEN (bearer token). Never put these in results, logs or reports:
 * use redactSecrets() on any text that might hold them.
 */
export function urlCredentials(engineId: string, env: NodeJS.ProcessEnv = process.env): { headers: Record<string, string> } {
  const token = env[`${envPrefix(engineId)}TOKEN`];
  return { headers: token ? { authorization: `Bearer ${token}` } : {} };
}

/** Every secret-looking environment value (AUTHZ_BENCH_*_TOKEN/_PASSWORD/_SECRET), for redaction. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  return environmentSecrets(env);
}

/** The one redaction (src/core/redact.ts), with these secrets. */
export function redactSecrets(text: string, secrets: readonly string[] = secretValues()): string {
  return redact(text, secrets);
}

/** A URL without userinfo (`http://u:p@host` -> `http://host`), safe to record. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '[invalid url]';
  }
}

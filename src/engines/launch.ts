// Launch strategies shared by the engine launchers (adapters/<engine>/launcher.ts):
// local (spawned binary), container (testcontainers), url (already running), auto.

import { dockerReachable } from './container.ts';
import { isInstalled } from './paths.ts';
import type { ServerEngineId } from './pins.ts';

export type LaunchStrategy = 'auto' | 'local' | 'container' | 'url';

export type LaunchChoice = { launch: 'local' | 'container' | 'url' } | { launch: 'skip'; reason: string };

export interface LaunchEnvironment {
  installed: boolean;
  docker: () => Promise<boolean>;
  url?: string;
}

/** Picks how to start an engine. `auto`: url if given, else local if installed, else container if Docker answers, else skip. */
export async function chooseLaunch(id: ServerEngineId, requested: LaunchStrategy, env?: Partial<LaunchEnvironment>): Promise<LaunchChoice> {
  const installed = env?.installed ?? isInstalled(id);
  const docker = env?.docker ?? (() => dockerReachable());
  switch (requested) {
    case 'url':
      return env?.url ? { launch: 'url' } : { launch: 'skip', reason: `${id}: --launch url needs --engine ${id}=http://host:port` };
    case 'local':
      return installed ? { launch: 'local' } : { launch: 'skip', reason: `${id} is not installed: run \`authz-bench engines install\`` };
    case 'container':
      return (await docker()) ? { launch: 'container' } : { launch: 'skip', reason: `${id}: no Docker engine reachable for --launch container` };
    case 'auto':
      if (env?.url) return { launch: 'url' };
      if (installed) return { launch: 'local' };
      if (await docker()) return { launch: 'container' };
      return { launch: 'skip', reason: `${id} is not installed and no Docker engine is reachable: run \`authz-bench engines install\` (needs Go >= 1.24), or use --launch url` };
  }
}

/**
 * Credentials for an engine reached by URL, from the environment only:
 * AUTHZ_BENCH_<ENGINE>_TOKEN (bearer token), or for Cerbos's admin API
 * AUTHZ_BENCH_CERBOS_ADMIN_USER / AUTHZ_BENCH_CERBOS_ADMIN_PASSWORD.
 * Never put these in results, logs or reports: use redactSecrets() on any text that might hold them.
 */
export function urlCredentials(id: ServerEngineId, env: NodeJS.ProcessEnv = process.env): { headers: Record<string, string> } {
  const token = env[`AUTHZ_BENCH_${id.toUpperCase()}_TOKEN`];
  return { headers: token ? { authorization: `Bearer ${token}` } : {} };
}

/** Every secret-looking environment value (AUTHZ_BENCH_*_TOKEN/_PASSWORD/_SECRET), for redaction. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(env)
    .filter(([k, v]) => /^AUTHZ_BENCH_.*(TOKEN|PASSWORD|SECRET|KEY)$/.test(k) && v && v.length >= 4)
    .map(([, v]) => v!);
}

export function redactSecrets(text: string, secrets: readonly string[] = secretValues()): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  return out;
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

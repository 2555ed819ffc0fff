// OPA's server, as the one server-engine helper (src/engines/server-engine.ts) starts it:
// `opa run --server` on the given address, JSON logs, version check off
// (`--skip-version-check`: OPA 1.x's replacement of --disable-telemetry), and the adapter's
// config file (decision logs to the harness's collector).

import type { EngineDefinition } from '../../src/core/adapter.ts';
import type { ServerRecipe } from '../../src/engines/server-engine.ts';

/** OPA config with decision logs sent to `url`, uploaded every `delaySeconds`. */
export function opaDecisionLogConfig(url: string, delaySeconds = 1): Record<string, unknown> {
  return {
    services: { decisionlogs: { url } },
    decision_logs: { service: 'decisionlogs', reporting: { min_delay_seconds: delaySeconds, max_delay_seconds: delaySeconds } },
  };
}

export function opaRunArgs(options: { addr: string; configFile?: string; logLevel?: string }): string[] {
  return [
    'run',
    '--server',
    '--addr',
    options.addr,
    '--skip-version-check',
    '--log-format',
    'json',
    '--log-level',
    options.logLevel ?? 'error',
    ...(options.configFile ? ['--config-file', options.configFile] : []),
  ];
}

/** OPA with this config document (`{}` for none). Decision-log URLs must be reachable from where OPA runs. */
export function opaServer(definition: EngineDefinition, config: Record<string, unknown>, logLevel?: 'debug' | 'info' | 'error'): ServerRecipe {
  return {
    definition,
    ports: { http: { container: 8181 } },
    files: () => ({ 'config.json': JSON.stringify(config, null, 2) }),
    args: (listen) => opaRunArgs({ addr: listen.address('http'), configFile: listen.file('config.json'), ...(logLevel ? { logLevel } : {}) }),
    health: { path: '/health' },
    // A server by URL says its version through the query API (opa.runtime(); only the version is asked for).
    urlVersion: async (url, headers) => {
      const response = await fetch(`${url}/v1/query`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'v := opa.runtime().version' }),
        signal: AbortSignal.timeout(5000),
      });
      return response.ok ? ((await response.json()) as { result?: { v?: string }[] }).result?.[0]?.v : undefined;
    },
  };
}

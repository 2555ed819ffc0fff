// The generic AuthZEN engine against real PDPs: `serve` puts the reference engine, and OPA
// (which has no AuthZEN endpoint of its own), behind AuthZEN; the generic engine then runs
// the AuthZEN Todo suite through it, in one process, as `serve` in one terminal and
// `run --engine authzen=URL` in another would.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInstalled } from '../../src/engines/paths.ts';
import { resolveEngineSpecs } from '../../src/engines/registry.ts';
import { runAll } from '../../src/runner/run.ts';
import { runScenario } from '../../src/runner/run-scenario.ts';
import { loadBundledScenarios } from '../../src/scenario/load.ts';
import { serveScenario } from '../../src/serve/command.ts';
import { engineSpec, startEngine } from '../../test/helpers/engines.ts';
import { READ_ONLY_REASON } from './adapter.ts';

const [todo] = await loadBundledScenarios(['authzen-todo']);
const scenarios = await loadBundledScenarios();
const opaInstalled = isInstalled((await engineSpec('opa')).definition);
const quiet = () => {};

async function servedTodo(engine: string, run: (url: string) => Promise<void>, scenario = todo!): Promise<void> {
  const resultsDir = mkdtempSync(path.join(tmpdir(), 'authz-bench-serve-'));
  const served = serveScenario(await engineSpec(engine), scenario, { resultsDir, strategy: 'local', log: quiet });
  try {
    await run(await served.ready);
  } finally {
    await served.stop();
  }
}

describe('generic authzen engine', () => {
  it('serve --engine reference + run --engine authzen=URL --scenario authzen-todo: 43/43, in one process', async () => {
    await servedTodo('reference', async (url) => {
      const outDir = mkdtempSync(path.join(tmpdir(), 'authz-bench-run-'));
      const { results } = await runAll(await resolveEngineSpecs([`authzen=${url}`]), [todo!], {
        outDir,
        benchTimeMs: 50,
        warmupMs: 10,
        checkTimeoutMs: 10_000,
        command: 'test',
        log: quiet,
      });
      const cases = results.cases.filter((c) => c.engine === 'authzen');
      expect(cases.filter((c) => c.status !== 'pass').map((c) => `${c.step} ${c.status} ${c.message ?? ''}`)).toEqual([]);
      expect(cases.filter((c) => c.status === 'pass')).toHaveLength(43);
      expect(results.engines[0]).toMatchObject({
        id: 'authzen',
        launch: 'url',
        settings: { pdp: url, endpoints: 'from /.well-known/authzen-configuration', batch: 'Access Evaluations API (execute_all), every item complete' },
      });
      // the latency through AuthZEN is measured like any engine's
      expect(results.performance.find((p) => p.engine === 'authzen')?.latency.p50).toBeGreaterThan(0);
    });
  }, 120_000);

  it.skipIf(!opaInstalled)(
    'serve --engine opa (no AuthZEN endpoint of its own) + the generic engine: Todo 43/43',
    async () => {
      await servedTodo('opa', async (url) => {
        const engine = await startEngine(`authzen=${url}`, { strategy: 'url' });
        try {
          const run = await runScenario(todo!, engine);
          expect(run.cases.filter((c) => c.status !== 'pass').map((c) => `${c.step} ${c.status} ${c.message ?? ''}`)).toEqual([]);
          expect(run.cases.filter((c) => c.status === 'pass')).toHaveLength(43);
        } finally {
          await engine.stop();
        }
      });
    },
    180_000,
  );

  it('search through AuthZEN: serve --engine reference --scenario search-todo + the generic engine, every search step passes', async () => {
    const searchTodo = scenarios.find((s) => s.id === 'search-todo')!;
    await servedTodo(
      'reference',
      async (url) => {
        const engine = await startEngine(`authzen=${url}`, { strategy: 'url' });
        try {
          expect(engine.info().settings.search).toBe('subjects, resources, actions');
          const run = await runScenario(searchTodo, engine);
          expect(run.cases.filter((c) => c.status !== 'pass').map((c) => `${c.step} ${c.status} ${c.message ?? ''}`)).toEqual([]);
          expect(run.cases.filter((c) => c.kind === 'search').length).toBeGreaterThan(5);
        } finally {
          await engine.stop();
        }
      },
      searchTodo,
    );
  }, 120_000);

  it('sends the bearer token from AUTHZ_BENCH_AUTHZEN_TOKEN to a PDP that requires one (serve with a token: 401 without it)', async () => {
    const resultsDir = mkdtempSync(path.join(tmpdir(), 'authz-bench-serve-'));
    const served = serveScenario(await engineSpec('reference'), todo!, { resultsDir, strategy: 'local', log: quiet, token: 's3cret-token' });
    const saved = process.env.AUTHZ_BENCH_AUTHZEN_TOKEN;
    try {
      const url = await served.ready;
      const anonymous = await fetch(`${url}/access/v1/evaluation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(anonymous.status).toBe(401);
      expect(await anonymous.text()).toBe('missing Authorization: Bearer <token>');
      process.env.AUTHZ_BENCH_AUTHZEN_TOKEN = 's3cret-token';
      const engine = await startEngine(`authzen=${url}`, { strategy: 'url' });
      try {
        const run = await runScenario(todo!, engine);
        expect(run.cases.filter((c) => c.status === 'pass')).toHaveLength(43);
        expect(JSON.stringify(engine.info())).not.toContain('s3cret-token');
      } finally {
        await engine.stop();
      }
    } finally {
      if (saved === undefined) delete process.env.AUTHZ_BENCH_AUTHZEN_TOKEN;
      else process.env.AUTHZ_BENCH_AUTHZEN_TOKEN = saved;
      await served.stop();
    }
  }, 120_000);

  it('reports a scenario that changes policy or data as unsupported, with the reason', async () => {
    await servedTodo('reference', async (url) => {
      const engine = await startEngine(`authzen=${url}`, { strategy: 'url' });
      try {
        const changing = scenarios.filter((s) => s.steps.some((step) => step.kind === 'write' || step.kind === 'delete' || step.kind === 'revocation' || step.kind === 'updateModel'));
        expect(changing.length).toBeGreaterThan(0);
        for (const scenario of changing) {
          const run = await runScenario(scenario, engine);
          expect(run.cases).toHaveLength(1);
          expect(run.cases[0]).toMatchObject({ status: 'unsupported' });
          expect(run.cases[0]!.message).toContain(`steps that change policy or data: ${READ_ONLY_REASON}`);
        }
      } finally {
        await engine.stop();
      }
    });
  }, 120_000);

  it('does not start without a URL, or with a URL where nothing answers; says how to fix it', async () => {
    await expect(startEngine('authzen')).rejects.toThrow('the authzen engine is reached by URL only: use --engine authzen=http://host:port');
    await expect(startEngine('authzen=http://127.0.0.1:9', { strategy: 'url' })).rejects.toThrow(/AuthZEN PDP at http:\/\/127\.0\.0\.1:9 is not reachable/);
  });
});

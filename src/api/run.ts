// `run()` of the library API: what `authz-bench run` does, as a function — engines by the
// names the CLI takes, scenarios as loaded, results written to a folder and returned with
// their totals and verdict. Nothing is printed unless `log` is given.

import path from 'node:path';
import { resolveEngineSpecs } from '../engines/registry.ts';
import type { RunResults } from '../results/types.ts';
import { DEFAULT_FAIL_ON, type Finding, type RunTotals, type RunVerdict, totalsOf, verdictOf } from '../results/verdict.ts';
import { runAll } from '../runner/run.ts';
import type { Scenario } from '../scenario/types.ts';

export interface RunOptions {
  /** As `--engine`: `reference`, `opa[nolog]`, `openfga=http://host:8080`, `all`. Default: `['reference']`. */
  engines?: string[];
  scenarios: Scenario[];
  /** The results folder (results.json, cases.jsonl, engine logs). */
  outDir: string;
  /** Benchmark time per engine × scenario; 0 (the default here) skips the benchmark. */
  benchTimeMs?: number;
  warmupMs?: number;
  checkTimeoutMs?: number;
  /** Findings that make `verdict.exitCode` non-zero; default wrong answers and engine errors. */
  failOn?: readonly Finding[];
  /** `--set key=value` options for the adapters. */
  settings?: Record<string, string>;
  /** Progress lines; default silent. */
  log?: (message: string) => void;
}

export interface RunOutcome {
  results: RunResults;
  totals: RunTotals;
  verdict: RunVerdict;
  resultsFile: string;
  /** True when the run was interrupted (Ctrl-C); results hold what finished. */
  interrupted: boolean;
}

export async function run(options: RunOptions): Promise<RunOutcome> {
  const specs = await resolveEngineSpecs(options.engines?.length ? options.engines : ['reference']);
  const outDir = path.resolve(options.outDir);
  const { results, writer, interrupted } = await runAll(specs, options.scenarios, {
    outDir,
    benchTimeMs: options.benchTimeMs ?? 0,
    warmupMs: options.warmupMs ?? 100,
    checkTimeoutMs: options.checkTimeoutMs ?? 10_000,
    command: `library run(): ${specs.map((s) => s.id).join(', ')}`,
    engineOptions: options.settings ?? {},
    log: options.log ?? (() => {}),
  });
  results.verdict = verdictOf(results, options.failOn ?? DEFAULT_FAIL_ON);
  writer.writeResults(results);
  return { results, totals: totalsOf(results), verdict: results.verdict, resultsFile: writer.resultsFile, interrupted };
}

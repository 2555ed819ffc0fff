// The results file of an import: the same shape `authz-bench bench` writes (a bench section
// with a load record and an SLO verdict), so that report, compare and the HTML report read it
// unchanged. The run metadata describes the machine that imported; the generator machines are
// in the records' `generator` mark.

import path from 'node:path';
import { SCHEMA_VERSION, type RunResults } from '../results/types.ts';
import { gitCommit, machine } from '../runner/machine.ts';
import type { LoadGenerator, LoadPlan } from './generator.ts';
import { importHits, importRecords, type ImportedLoad } from './import.ts';

export interface ImportOptions {
  outDir: string;
  /** SLO threshold; default the plan's. */
  sloMs?: number;
  /** The generator's binary, to decode its own result format. */
  binary: string;
  command: string;
}

export async function importLoad(generator: LoadGenerator, plan: LoadPlan, files: readonly string[], options: ImportOptions): Promise<{ results: RunResults; imported: ImportedLoad }> {
  const imported = await importHits(generator.readResults(files, options.binary), generator);
  const sloMs = options.sloMs ?? plan.sloMs;
  const { load, slo } = importRecords(plan, imported, sloMs);
  const now = new Date().toISOString();
  // The importing machine's load average says nothing of the generator machines' (compare
  // would flag the figures as taken on a busy machine): left out.
  const { loadAverage: _importerLoad, ...importer } = machine();
  const results: RunResults = {
    schemaVersion: SCHEMA_VERSION,
    run: {
      id: path.basename(options.outDir),
      startedAt: now,
      finishedAt: now,
      command: options.command,
      gitCommit: gitCommit(),
      ...importer,
      settings: { benchTimeMs: 0, warmupMs: imported.warmupMs, checkTimeoutMs: 0 },
    },
    engines: [plan.engine],
    scenarios: [plan.scenario],
    cases: [],
    performance: [],
    bench: {
      settings: {
        generator: `${generator.name} ${generator.version}`,
        machines: imported.mark.machines,
        ratePerMachine: imported.mark.ratePerMachine,
        trials: imported.summary.trials.length,
        durationMs: imported.durationMs,
        warmupMs: imported.warmupMs,
        sloMs,
        exportedAt: plan.exportedAt,
        files: files.length,
        runMetadata: 'the importing machine (the load came from the generator machines)',
        ...(imported.warnings.length > 0 ? { warnings: imported.warnings.join('; ') } : {}),
      },
      micro: [],
      load: [load],
      slo: [slo],
      curves: [],
    },
  };
  return { results, imported };
}

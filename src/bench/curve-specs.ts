// The cost curves `bench` can measure: which scenario's generator parameter is swept, and
// over which sizes. Apart from src/bench/curves.ts so the CLI can name them without loading the runner.

import { InputError } from '../core/errors.ts';

export interface CurveSpec {
  dimension: string;
  /** Other names a user may type for it (`--curve depth`). */
  aliases: string[];
  /** Scenario id whose `generate` block is swept; for `batch`, any scenario with checks. */
  scenario: string;
  /** Generator parameter to sweep; absent for the batch-size curve. */
  param?: string;
  /** Other generator parameters held at these values at every point (e.g. the number of distinct checks). */
  fixed?: Record<string, number>;
  sizes: number[];
  /** The x axis is the number of relationships loaded, about `relationshipsPerStep` × the parameter (for --max-curve-size). */
  relationshipsPerStep?: number;
  /** Time the scenario's search steps (in turn) instead of its checks; engines without search are skipped. */
  search?: boolean;
}

/** Every curve's checks: at least this many distinct requests per point, so caches and hot paths do not flatter it. */
export const CURVE_CHECKS = 1000;

/** The Drive-like dataset (scenarios/scale/scale-drive.yaml): the realistic store the scale curves sweep. */
export const SCALE_SCENARIO = 'scale-drive';

export const CURVES: CurveSpec[] = [
  // Folder depth of the Drive-like store at 10^4 relationships.
  {
    dimension: 'hierarchy depth',
    aliases: ['depth', 'hierarchy-depth'],
    scenario: SCALE_SCENARIO,
    param: 'depth',
    fixed: { relationships: 10_000, checks: CURVE_CHECKS },
    sizes: [1, 2, 4, 8, 16, 32],
  },
  {
    dimension: 'relationships',
    aliases: ['size', 'scale', 'rels'],
    scenario: SCALE_SCENARIO,
    param: 'relationships',
    fixed: { checks: CURVE_CHECKS },
    sizes: [1000, 10_000, 100_000, 1_000_000],
    relationshipsPerStep: 1,
  },
  { dimension: 'tenants', aliases: ['tenant'], scenario: 'multi-tenancy-many-tenants', param: 'tenants', fixed: { checks: CURVE_CHECKS }, sizes: [2, 10, 100, 1000] },
  { dimension: 'batch size', aliases: ['batch', 'batch-size'], scenario: SCALE_SCENARIO, sizes: [1, 5, 10, 25, 50] },
  // agent-corpus (bundled: 4 subfolders x 10 documents) writes 47 relationships per top folder; result sets stay 10, 40 and 80 documents.
  { dimension: 'search', aliases: ['lookup'], scenario: 'search-agent-retrieval', param: 'roots', sizes: [5, 50, 500, 2500], relationshipsPerStep: 47, search: true },
];

/** The names `--curve` accepts, for help and errors. */
export const curveNames = (): string[] => CURVES.flatMap((c) => [c.dimension, ...c.aliases]);

/** The curve a user named (its dimension or an alias, any case); bad input names the accepted list. */
export function resolveCurve(name: string): CurveSpec {
  const wanted = name.trim().toLowerCase();
  const spec = CURVES.find((c) => c.dimension === wanted || c.aliases.includes(wanted));
  if (!spec) throw new InputError('--curve', name, 'no cost curve of this name', `use one of: ${curveNames().join(', ')}`);
  return spec;
}

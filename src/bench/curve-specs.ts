// The cost curves `bench` can measure: which scenario's generator parameter is swept, and
// over which sizes. Apart from src/bench/curves.ts so the CLI can name them without loading the runner.

export interface CurveSpec {
  dimension: string;
  /** Scenario id whose `generate` block is swept; for `batch`, any scenario with checks. */
  scenario: string;
  /** Generator parameter to sweep; absent for the batch-size curve. */
  param?: string;
  sizes: number[];
  /** The x axis is the number of relationships loaded, about `relationshipsPerStep` × the parameter. */
  relationshipsPerStep?: number;
  /** Time the scenario's search steps (in turn) instead of its checks; engines without search are skipped. */
  search?: boolean;
}

export const CURVES: CurveSpec[] = [
  { dimension: 'hierarchy depth', scenario: 'hierarchy-depth-sweep', param: 'depth', sizes: [1, 2, 4, 8, 16, 32] },
  // wide-tree with 5 documents per subfolder writes 6 relationships per subfolder: 10^3 .. 10^6.
  { dimension: 'relationships', scenario: 'hierarchy-wide-tree', param: 'width', sizes: [166, 1666, 16_666, 166_666], relationshipsPerStep: 6 },
  { dimension: 'tenants', scenario: 'multi-tenancy-many-tenants', param: 'tenants', sizes: [2, 10, 100, 1000] },
  { dimension: 'batch size', scenario: 'load-mix', sizes: [1, 5, 10, 25, 50] },
  // agent-corpus (bundled: 4 subfolders x 10 documents) writes 47 relationships per top folder; result sets stay 10, 40 and 80 documents.
  { dimension: 'search', scenario: 'search-agent-retrieval', param: 'roots', sizes: [5, 50, 500, 2500], relationshipsPerStep: 47, search: true },
];

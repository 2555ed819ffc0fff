// The library API of authz-bench: load and validate scenarios, run them on engines, read
// results, count and judge them, render reports. The CLI is built on the same functions.
// Documented in README.md ("Library API"); everything else under src/ is internal.

// Scenarios
export { loadBundledScenarios, loadScenarioFile, loadScenarioText, type LoadOptions } from './scenario/load.ts';
export { formatScenarioCounts, scenarioCounts, type ScenarioCounts } from './scenario/counts.ts';
export type { Scenario, Step } from './scenario/types.ts';
export { InputError, InputErrors, isInputError } from './core/errors.ts';

// Engines
export { loadEngineDefinitions, resolveEngineSpecs, type EngineSpec } from './engines/registry.ts';
export { defineAdapter, type Adapter, type AdapterSpec, type EngineAdapter, type EngineDefinition } from './core/adapter.ts';

// Running
export { run, type RunOptions, type RunOutcome } from './api/run.ts';
export { runScenario, type ScenarioRun } from './runner/run-scenario.ts';

// Results and verdicts
export { readResults } from './results/read.ts';
export { SCHEMA_VERSION, type CaseResult, type CaseStatus, type PerformanceResult, type RunResults } from './results/types.ts';
export { DEFAULT_FAIL_ON, FINDINGS, parseFailOn, totalsOf, verdictOf, type Finding, type RunTotals, type RunVerdict } from './results/verdict.ts';

// Reports
export { renderMarkdown } from './report/markdown.ts';
export { renderHtml } from './report/html.ts';
export { renderJunit } from './report/junit.ts';
export { compareResults, renderComparison, type Comparison } from './report/compare.ts';

export { packageVersion as version } from './core/version.ts';

// What loading one generated scenario costs: the time to generate and load it, the heap it
// keeps, and the process's peak memory. Run by hand, one size per process so nothing earlier
// is counted:
//   node --expose-gc --import tsx scripts/scenario-load-cost.ts <scenario.yaml> <param>=<value> ...
// and under `/usr/bin/time -v` for the maximum resident set size.

import { performance } from 'node:perf_hooks';
import { loadScenarioFile } from '../src/scenario/load.ts';

const [file, ...assignments] = process.argv.slice(2);
if (!file) {
  console.error('usage: scenario-load-cost.ts <scenario.yaml> [param=value ...]');
  process.exit(2);
}
const generateParams = Object.fromEntries(assignments.map((a) => [a.slice(0, a.indexOf('=')), Number(a.slice(a.indexOf('=') + 1))]));
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.error('run with node --expose-gc for the retained heap');
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
const cpuBefore = process.cpuUsage();
const scenario = await loadScenarioFile(file, { generateParams });
const seconds = (performance.now() - started) / 1000;
// CPU time as well: on a shared machine the wall clock counts the other processes' turns.
const cpu = process.cpuUsage(cpuBefore);
gc?.();
const retained = process.memoryUsage().heapUsed - heapBefore;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
console.log(
  JSON.stringify({
    scenario: scenario.id,
    params: generateParams,
    relationships: scenario.relationships.length,
    steps: scenario.steps.length,
    seconds: Number(seconds.toFixed(2)),
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    retainedHeap: mib(retained),
    bytesPerRelationship: Math.round(retained / Math.max(1, scenario.relationships.length)),
    rss: mib(process.memoryUsage().rss),
  }),
);

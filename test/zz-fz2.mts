import fc from 'fast-check';
import { fuzzedScenario } from '../src/fuzz/scenario-fuzz.ts';
import { loadScenarioText } from '../src/scenario/load.ts';
const inputs = fc.sample(fuzzedScenario, { numRuns: 1500, seed: 42 });
const time: Record<string, number[]> = {};
for (const { kind, input } of inputs) {
  const t = performance.now();
  try { await loadScenarioText(input, 'fuzz.yaml'); } catch {}
  const ms = performance.now() - t;
  (time[kind] ??= []).push(ms);
  if (ms > 300) console.log(kind, ms.toFixed(0), input.length, JSON.stringify(input.slice(0, 120)));
}
for (const [k, v] of Object.entries(time)) console.log(k, v.length, (v.reduce((a, b) => a + b, 0) / 1000).toFixed(1), 's total', Math.max(...v).toFixed(0));

import { fuzzLoader } from '../src/fuzz/scenario-fuzz.ts';
const t = performance.now();
const r = await fuzzLoader(Number(process.argv[2] ?? 2000), Number(process.argv[3] ?? 42));
console.log(r.inputs, r.accepted, r.rejected, r.crashes.length, r.slowestMs.toFixed(0), r.byKind, ((performance.now()-t)/1000).toFixed(1));
for (const c of r.crashes.slice(0, 5)) console.log(c.problem, '\n---', c.input.slice(0, 300));

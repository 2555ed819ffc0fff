// How the adapter feeds entities decides Cedar's speed: this measures it on the wide-tree
// generator (scenarios/generators/wide-tree.ts) at a chosen size, with `entities=slice` or
// `entities=all`, in a hot loop of checks through the adapter (README.md quotes the figures).
//
//   npx tsx adapters/cedar/entity-cost.ts --entities slice --width 16667 --seconds 10   # ~10^5 relationships
//   npx tsx adapters/cedar/entity-cost.ts --entities all --width 200 --seconds 10

import { parseArgs } from 'node:util';
import { parseRelationship } from '../../src/core/relationship.ts';
import { loadBundledScenarios } from '../../src/scenario/load.ts';
import generator from '../../scenarios/generators/wide-tree.ts';
import { CedarAdapter } from './adapter.ts';
import type { EntityMode } from './entities.ts';
import definition from './index.ts';

const { values } = parseArgs({
  options: {
    entities: { type: 'string', default: 'slice' },
    width: { type: 'string', default: '16667' },
    seconds: { type: 'string', default: '10' },
  },
});
const mode = values.entities as EntityMode;
if (mode !== 'slice' && mode !== 'all') throw new Error('--entities slice|all');
const width = Number(values.width);
const seconds = Number(values.seconds);

const [scenario] = await loadBundledScenarios(['hierarchy-wide-tree']);
const { relationships } = generator.generate({ width, docs: 5, viewers: 1000, checks: 1 }, 1);
const adapter = new CedarAdapter(definition, { entities: mode });
await adapter.loadModel(scenario!.model);
await adapter.write(relationships.map((r) => parseRelationship(r)!));

const times: number[] = [];
const end = performance.now() + seconds * 1000;
let allowed = 0;
for (let i = 0; performance.now() < end; i++) {
  const subject = i % 3 === 0 ? 'root' : `u${i % 1000}`;
  const started = performance.now();
  const decision = await adapter.check({ subject: { type: 'user', id: subject }, action: { name: 'view' }, resource: { type: 'document', id: `f${i % width}-d${i % 5}` } });
  times.push(performance.now() - started);
  if (decision.error) throw new Error(decision.error);
  if (decision.allowed) allowed++;
}
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.floor(q * (times.length - 1))]!.toFixed(3);
const cost = adapter.clientSideCost();
console.log(
  `cedar ${adapter.info().version}, node ${process.version}${process.execArgv.some((a) => a.startsWith('--no-')) ? ` ${process.execArgv.filter((a) => a.startsWith('--no-')).join(' ')}` : ''}, ` +
    `entities=${mode}, ${relationships.length} relationships: ${times.length} checks (${allowed} allowed), ` +
    `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms; entity building ${(cost.totalMs / cost.count).toFixed(3)} ms per check (client side)`,
);
await adapter.stop();

// The cost of conditional relationships (each one a Cedar policy, grants.ts): check latency
// with n of them, principals repeating or each new (README.md quotes the figures).
//
//   npx tsx adapters/cedar/grant-cost.ts --grants 5000

import { parseArgs } from 'node:util';
import { parseModel } from '../../src/model/parse.ts';
import { CedarAdapter } from './adapter.ts';
import definition from './index.ts';

const { values } = parseArgs({ options: { grants: { type: 'string', default: '5000' }, checks: { type: 'string', default: '300' } } });
const n = Number(values.grants);
const checks = Number(values.checks);
const model = parseModel(
  {
    types: { user: {}, document: { relations: { viewer: ['user', 'user with not_expired'] }, permissions: { view: 'viewer' } } },
    conditions: { not_expired: { parameters: { now: 'timestamp', expires_at: 'timestamp' }, expression: 'now < expires_at' } },
  },
  'grant-cost',
);
const adapter = new CedarAdapter(definition);
await adapter.loadModel(model);
await adapter.write(
  Array.from({ length: n }, (_, i) => ({
    resource: { type: 'document', id: `d${i % 100}` },
    relation: 'viewer',
    subject: { type: 'user', id: `u${i}` },
    condition: { name: 'not_expired', parameters: { expires_at: '2030-01-01T00:00:00Z' } },
  })),
);

async function p50(principals: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < checks; i++) {
    const j = i % principals;
    const started = performance.now();
    const decision = await adapter.check({
      subject: { type: 'user', id: `u${j}` },
      action: { name: 'view' },
      resource: { type: 'document', id: `d${j % 100}` },
      context: { now: '2026-01-01T00:00:00Z' },
    });
    times.push(performance.now() - started);
    if (!decision.allowed) throw new Error(`u${j} denied: ${decision.reason ?? decision.error}`);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const fresh = await p50(Math.min(n, checks));
const repeating = await p50(Math.min(n, 10));
console.log(
  `${n} conditional relationships (${adapter.policies.size} policies): p50 ${fresh.toFixed(3)} ms with a new principal each check, ${repeating.toFixed(3)} ms with 10 principals repeating`,
);
await adapter.stop();

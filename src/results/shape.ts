// The shape of a results file, checked when one is read back (`report`, `compare`): a file
// of valid JSON but another shape is bad input naming the first place that differs, never
// a TypeError deep in a renderer. Declarative and shallow on purpose: what the renderers
// read, nothing more.

import { describeValue, joinPath } from '../core/errors.ts';

type Shape = 'string' | 'number' | 'boolean' | 'any' | { optional: Shape } | { list: Shape } | { fields: Record<string, Shape> } | { oneOf: readonly string[] } | { values: Shape };

const optional = (shape: Shape): Shape => ({ optional: shape });
const list = (shape: Shape): Shape => ({ list: shape });
const fields = (shape: Record<string, Shape>): Shape => ({ fields: shape });

const INTERVAL = fields({ mean: 'number', low: 'number', high: 'number', margin: 'number', n: 'number' });
const LATENCY = fields({ samples: 'number', mean: 'number', p50: 'number', p75: 'number', p99: 'number', min: 'number', max: 'number', sd: 'number', rme: 'number', throughput: 'number' });
const PERFORMANCE = fields({
  engine: 'string',
  scenario: 'string',
  kind: 'string',
  latency: LATENCY,
  errors: 'number',
  method: 'string',
  clientSide: optional(fields({ label: 'string', meanMs: 'number' })),
  samples: list('number'),
});
const BENCH = fields({
  settings: { values: 'any' },
  micro: list(PERFORMANCE),
  load: list(fields({ engine: 'string', scenario: 'string', mode: 'string', concurrency: 'number', p50: INTERVAL, p99: INTERVAL, throughput: INTERVAL, errors: 'number', method: 'string' })),
  slo: list(
    fields({
      engine: 'string',
      scenario: 'string',
      thresholdMs: 'number',
      targetRate: 'number',
      p99: INTERVAL,
      pass: 'boolean',
      ramp: list(fields({ rate: 'number', p99: 'number', throughput: 'number', pass: 'boolean' })),
      method: 'string',
    }),
  ),
  overhead: optional(fields({ checksPerSecond: INTERVAL, p50: INTERVAL, p99: INTERVAL, method: 'string' })),
  curves: list(
    fields({ engine: 'string', dimension: 'string', scenario: 'string', points: list(fields({ size: 'number', p50: 'number', p99: 'number', setupMs: 'number' })), method: 'string' }),
  ),
});

export const RESULTS_SHAPE: Shape = fields({
  schemaVersion: 'number',
  run: fields({ id: 'string', startedAt: 'string', command: 'string', settings: fields({ benchTimeMs: 'number', warmupMs: 'number', checkTimeoutMs: 'number' }) }),
  engines: list(
    fields({
      id: 'string',
      name: 'string',
      version: 'string',
      launch: 'string',
      settings: { values: 'any' },
      decisionLog: 'string',
      skipped: optional('string'),
      nativeScenarios: optional(list('string')),
    }),
  ),
  scenarios: list(fields({ id: 'string', title: 'string', tags: list('string'), file: 'string' })),
  cases: list(
    fields({
      engine: 'string',
      scenario: 'string',
      step: 'number',
      kind: { oneOf: ['check', 'batch', 'write', 'delete', 'updateModel', 'revocation', 'expectLog', 'search', 'scenario'] },
      status: { oneOf: ['pass', 'fail', 'unsupported', 'error'] },
      item: optional('number'),
      name: optional('string'),
      request: optional('string'),
      expected: optional('string'),
      actual: optional('string'),
      message: optional('string'),
      decisionId: optional('string'),
      durationMs: optional('number'),
      revocation: optional(fields({ path: 'string', staleAllows: 'number', polls: 'number', immediate: 'boolean' })),
      audit: optional(fields({ logKind: 'string', checks: 'number', found: 'number', share: 'number', missingFields: { values: 'number' }, deliveryMs: optional('number') })),
    }),
  ),
  performance: list(PERFORMANCE),
  bench: optional(BENCH),
});

/** The first place where `value` differs from `shape`: its path and what was found; undefined when it fits. */
export function shapeProblem(value: unknown, shape: Shape = RESULTS_SHAPE, at = ''): { path: string; problem: string } | undefined {
  if (typeof shape === 'string') {
    if (shape === 'any') return undefined;
    const fits = shape === 'number' ? typeof value === 'number' && Number.isFinite(value) : typeof value === shape;
    return fits ? undefined : { path: at, problem: `found ${describeValue(value)}, expected a ${shape}` };
  }
  if ('optional' in shape) return value === undefined ? undefined : shapeProblem(value, shape.optional, at);
  if ('oneOf' in shape)
    return typeof value === 'string' && shape.oneOf.includes(value) ? undefined : { path: at, problem: `found ${describeValue(value)}, expected one of ${shape.oneOf.join(', ')}` };
  if ('list' in shape) {
    if (!Array.isArray(value)) return { path: at, problem: `found ${describeValue(value)}, expected a list` };
    for (let i = 0; i < value.length; i++) {
      const problem = shapeProblem(value[i], shape.list, joinPath(at, i));
      if (problem) return problem;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { path: at, problem: `found ${describeValue(value)}, expected a mapping` };
  const record = value as Record<string, unknown>;
  if ('values' in shape) {
    for (const [key, child] of Object.entries(record)) {
      const problem = shapeProblem(child, shape.values, joinPath(at, key));
      if (problem) return problem;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(shape.fields)) {
    const problem = shapeProblem(record[key], child, joinPath(at, key));
    if (problem) return problem;
  }
  return undefined;
}

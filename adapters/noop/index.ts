// The no-op engine: answers "allow" at once and does nothing else. It measures what the
// harness itself costs per check; it decides nothing, so it takes no part in conformance.

import type { EngineAdapter, EngineDefinition } from '../../src/core/adapter.ts';
import type { Decision } from '../../src/core/request.ts';

const ALLOW: Decision = { allowed: true, reason: 'no-op engine' };

function createNoop(): EngineAdapter {
  return {
    capabilities: { features: new Set(), batchCheck: true, decisionLog: 'none', policyUpdate: true, embedded: true },
    info: () => ({ id: 'noop', name: 'no-op baseline (harness overhead)', version: '-', launch: 'embedded', settings: {} }),
    unsupported: () => ['decisions: the no-op engine allows everything; it only measures the harness'],
    start: async () => {},
    loadModel: async () => {},
    updateModel: async () => {},
    write: async () => {},
    delete: async () => {},
    check: async () => ALLOW,
    checkBatch: async (requests) => requests.map(() => ALLOW),
    stop: async () => {},
  };
}

const definition: EngineDefinition = {
  id: 'noop',
  description: 'no-op baseline: allows everything; measures the harness overhead per check',
  role: 'baseline',
  create: createNoop,
};

export default definition;

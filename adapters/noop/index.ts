// The no-op engine: answers "allow" at once and does nothing else. It measures what the
// harness itself costs per check; it decides nothing, so it takes no part in conformance.
// It is also the smallest example of an engine folder (docs/architecture.md).

import { defineAdapter, type EngineDefinition } from '../../src/core/adapter.ts';
import type { Decision } from '../../src/core/request.ts';

const ALLOW: Decision = { allowed: true, reason: 'no-op engine' };

const definition: EngineDefinition = {
  id: 'noop',
  name: 'no-op baseline (harness overhead)',
  version: '-',
  install: { kind: 'embedded' },
  description: 'no-op baseline: allows everything; measures the harness overhead per check',
  role: 'baseline',
  create: () =>
    defineAdapter({
      embedded: true,
      info: () => ({ name: definition.name, version: definition.version, launch: 'embedded', settings: {} }),
      unsupported: () => ['decisions: the no-op engine allows everything; it only measures the harness'],
      loadModel: async () => {},
      updateModel: async () => {},
      write: async () => {},
      delete: async () => {},
      check: async () => ALLOW,
      checkBatch: async (requests) => requests.map(() => ALLOW),
    }),
};

export default definition;

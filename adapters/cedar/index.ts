// Cedar: the cedar-wasm library (Cedar on WebAssembly), embedded. See README.md.

import { defineAdapter, type EngineDefinition } from '../../src/core/adapter.ts';
import { CedarAdapter, ENTITY_MODES } from './adapter.ts';

const definition: EngineDefinition = {
  id: 'cedar',
  name: 'Cedar (cedar-wasm)',
  // the `@cedar-policy/cedar-wasm` npm dependency; getCedarVersion() reports the same
  version: '4.13.0',
  install: { kind: 'embedded' },
  description: 'Cedar via cedar-wasm (embedded; preparsed policies, a per-request entity slice)',
  settings: {
    entities: {
      description: 'how each request gets its entities: slice (default; built from the adapter index, timed as client-side cost) or all (every entity, the naive way)',
      values: ENTITY_MODES,
    },
  },
  create: () => defineAdapter(new CedarAdapter(definition)),
};

export default definition;

// Oso: the open-source, embedded oso library (Polar on WebAssembly). See README.md.

import { defineAdapter, type EngineDefinition } from '../../src/core/adapter.ts';
import { OsoAdapter } from './adapter.ts';

const definition: EngineDefinition = {
  id: 'oso',
  name: 'Oso (open-source library, Polar)',
  // the `oso` npm dependency; a test checks that package.json pins the same version
  version: '0.27.3',
  install: { kind: 'embedded' },
  description: 'Oso open-source library (embedded Polar, deprecated upstream; Oso Cloud cannot run offline)',
  create: () => defineAdapter(new OsoAdapter(definition)),
};

export default definition;

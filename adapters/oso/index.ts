// Oso: the open-source, embedded oso library 0.27.3 (Polar on WebAssembly). See README.md.

import type { EngineDefinition } from '../../src/core/adapter.ts';
import { OsoAdapter } from './adapter.ts';

const definition: EngineDefinition = {
  id: 'oso',
  description: 'Oso open-source library 0.27.3 (embedded Polar, deprecated upstream; Oso Cloud cannot run offline)',
  create: () => new OsoAdapter(),
};

export default definition;

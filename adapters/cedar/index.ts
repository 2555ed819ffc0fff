// Cedar: the cedar-wasm library 4.13.0 (Cedar on WebAssembly), embedded. See README.md.

import type { EngineDefinition } from '../../src/core/adapter.ts';
import { CedarAdapter } from './adapter.ts';

const definition: EngineDefinition = {
  id: 'cedar',
  description: 'Cedar 4.13.0 (cedar-wasm, embedded; preparsed policies, per-request entity slice; --set entities=slice|all)',
  create: () => new CedarAdapter(),
};

export default definition;

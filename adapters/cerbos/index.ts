// Cerbos: a stateless PDP. Relationships are resolved into attributes by an in-process
// resolver (the policy information point); generated Cerbos policies decide. See README.md.

import type { EngineDefinition } from '../../src/core/adapter.ts';
import { CerbosAdapter } from './adapter.ts';

const definition: EngineDefinition = {
  id: 'cerbos',
  description: 'Cerbos 0.55.0 PDP over gRPC: model compiled to one resource policy per type (CEL), relationships resolved into attributes per check; default: disk store with watch; admin: Admin API, sqlite3 in memory',
  configurations: ['admin'],
  create: (configuration?: string) => {
    if (configuration && configuration !== 'admin') throw new Error(`cerbos: unknown configuration '${configuration}' (known: admin)`);
    return new CerbosAdapter(configuration === 'admin' ? 'admin' : 'disk');
  },
};

export default definition;

// OpenFGA: the neutral model as an OpenFGA authorization model (schema 1.1, CEL
// conditions), one store per scenario (or per tenant: configuration `store-per-tenant`),
// checks and server-side BatchCheck through @openfga/sdk. See README.md.

import type { EngineDefinition } from '../../src/core/adapter.ts';
import { OpenFgaAdapter } from './adapter.ts';
import { openFgaLauncher } from './launcher.ts';

const definition: EngineDefinition = {
  id: 'openfga',
  description: 'OpenFGA 1.22.1 server (memory datastore; postgres configuration: a local PostgreSQL): authorization model schema 1.1 with CEL conditions, server-side BatchCheck, JSON request log',
  configurations: ['cache', 'store-per-tenant', 'postgres'],
  create: (configuration) => new OpenFgaAdapter({ launcher: openFgaLauncher, ...(configuration ? { configuration } : {}) }),
};

export default definition;

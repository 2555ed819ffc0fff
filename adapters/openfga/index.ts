// OpenFGA: the neutral model as an OpenFGA authorization model (schema 1.1, CEL
// conditions), one store per scenario (or per tenant: configuration `store-per-tenant`),
// checks and server-side BatchCheck through @openfga/sdk. See README.md.

import { defineAdapter, type EngineDefinition } from '../../src/core/adapter.ts';
import { findPostgresBinDir } from '../../src/engines/postgres.ts';
import { OpenFgaAdapter } from './adapter.ts';
import { DURATION, WHOLE_NUMBER } from './list-limits.ts';

const definition: EngineDefinition = {
  id: 'openfga',
  name: 'OpenFGA',
  version: '1.22.1',
  install: { kind: 'go', goPackage: 'github.com/openfga/openfga/cmd/openfga', goModule: 'github.com/openfga/openfga', binary: 'openfga', minGo: { major: 1, minor: 24 } },
  image: 'openfga/openfga:v1.22.1',
  description: 'OpenFGA server (memory datastore): authorization model schema 1.1 with CEL conditions, server-side BatchCheck, JSON request log',
  configurations: {
    cache: 'check query cache on (10 s TTL), checks MINIMIZE_LATENCY (served from the cache when possible)',
    'cache-consistent': 'check query cache on (10 s TTL), checks HIGHER_CONSISTENCY (skip the cache)',
    'store-per-tenant': 'each tenant its own store, plus a shared store (scenarios that declare tenancy)',
    postgres: 'PostgreSQL datastore (a private local cluster the harness starts)',
    authzen: "checks and batches through OpenFGA's experimental AuthZEN API (--experimentals=authzen), store in the path; data through the native API",
  },
  settings: {
    consistency: { description: 'consistency preference of checks', values: ['MINIMIZE_LATENCY', 'HIGHER_CONSISTENCY'] },
    listObjectsMaxResults: {
      description: 'ListObjects result limit (server flag --listObjects-max-results; default 1000; 0: none): a search answer that reaches it is reported truncated',
      form: { pattern: WHOLE_NUMBER, example: '20000' },
    },
    listObjectsDeadline: {
      description: 'ListObjects deadline, e.g. 30s (server flag --listObjects-deadline; default 3s): an answer at the deadline is reported truncated',
      form: { pattern: DURATION, example: '30s' },
    },
  },
  prerequisites: () => {
    const found = findPostgresBinDir();
    return ['missing' in found ? `openfga[postgres] datastore: ${found.missing}` : `openfga[postgres] datastore: PostgreSQL programs in ${found.binDir}`];
  },
  importScenario: async (file, id) => (await import('./import.ts')).importOpenFgaStore(file, id),
  create: (configuration) => defineAdapter(new OpenFgaAdapter(definition, configuration ? { configuration } : {})),
};

export default definition;

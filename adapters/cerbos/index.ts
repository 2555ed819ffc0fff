// Cerbos: a stateless PDP. Relationships are resolved into attributes by an in-process
// resolver (the policy information point); generated Cerbos policies decide. See README.md.

import { defineAdapter, type EngineDefinition } from '../../src/core/adapter.ts';
import { CerbosAdapter } from './adapter.ts';

const definition: EngineDefinition = {
  id: 'cerbos',
  name: 'Cerbos',
  version: '0.55.0',
  install: { kind: 'npm-binary', packagePrefix: '@cerbos/cerbos' },
  image: 'ghcr.io/cerbos/cerbos:0.55.0',
  description: 'Cerbos PDP over gRPC: model compiled to one resource policy per type (CEL), relationships resolved into attributes per check; default: disk store with watch',
  configurations: {
    admin: 'policies through the Admin API, sqlite3 in memory, instead of a watched folder',
    authzen: "checks through Cerbos's AuthZEN API (HTTP), resolved roles and attributes in properties; policies as by default",
  },
  settings: {
    metadata: { description: 'ask Cerbos for the matched rule with every check', values: ['true', 'false'] },
    grpc: { description: 'gRPC address (host:port) of a Cerbos reached with --engine cerbos=URL' },
  },
  create: (configuration) => defineAdapter(new CerbosAdapter(definition, configuration === 'admin' ? 'admin' : 'disk', configuration === 'authzen' ? 'authzen' : 'grpc')),
};

export default definition;

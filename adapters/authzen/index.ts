// The generic AuthZEN engine: any PDP that serves the AuthZEN Authorization API 1.0, reached
// by URL only (`--engine authzen=http://host:port`, token from AUTHZ_BENCH_AUTHZEN_TOKEN).
// Nothing to install: it is a client (src/authzen/client.ts). See README.md.

import { defineAdapter, type EngineDefinition } from '../../src/core/adapter.ts';
import { AuthzenPdpAdapter } from './adapter.ts';

const definition: EngineDefinition = {
  id: 'authzen',
  name: 'AuthZEN PDP',
  version: '-',
  install: { kind: 'embedded' },
  description: 'any AuthZEN Authorization API 1.0 PDP, by URL only (--engine authzen=http://host:port): checks and batches over AuthZEN, endpoints from its metadata',
  role: 'remote',
  create: () => defineAdapter(new AuthzenPdpAdapter(definition)),
};

export default definition;

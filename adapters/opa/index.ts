// OPA: Open Policy Agent server, the neutral model compiled to Rego v1. See README.md.

import { defineAdapter, type EngineDefinition } from '../../src/core/adapter.ts';
import { OpaAdapter } from './adapter.ts';

const definition: EngineDefinition = {
  id: 'opa',
  name: 'Open Policy Agent',
  version: '1.22.4',
  install: { kind: 'go', goPackage: 'github.com/open-policy-agent/opa', goModule: 'github.com/open-policy-agent/opa', binary: 'opa', minGo: { major: 1, minor: 24 } },
  image: 'openpolicyagent/opa:1.22.4',
  description: 'Open Policy Agent server: model compiled to Rego v1, relationships as indexed data, decision logs to a local collector',
  configurations: { nolog: 'without decision logging, to measure what the audit trail costs' },
  settings: { levels: { description: 'unrolled levels for intersection, exclusion and conditional edges (default 50)' } },
  create: (configuration) => defineAdapter(new OpaAdapter(definition, configuration === 'nolog' ? { decisionLogs: false } : {})),
};

export default definition;

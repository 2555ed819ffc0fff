// OPA: Open Policy Agent server, the neutral model compiled to Rego v1. See README.md.

import type { EngineDefinition } from '../../src/core/adapter.ts';
import { OpaAdapter } from './adapter.ts';
import { opaLauncher } from './launcher.ts';

const definition: EngineDefinition = {
  id: 'opa',
  description: 'Open Policy Agent 1.22.4 server: model compiled to Rego v1, relationships as indexed data, decision logs to a local collector',
  /** `nolog`: OPA without decision logging, to measure what the audit trail costs. */
  configurations: ['nolog'],
  create: (configuration?: string) =>
    new OpaAdapter({ launcher: opaLauncher, ...(configuration === 'nolog' ? { decisionLogs: false, configuration } : {}) }),
};

export default definition;

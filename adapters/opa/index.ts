// OPA: Open Policy Agent server, the neutral model compiled to Rego v1. See README.md.

import { defineAdapter, type EngineDefinition } from '../../src/core/adapter.ts';
import { DEFAULT_BUNDLE_DELAY_SECONDS, OpaAdapter } from './adapter.ts';

const definition: EngineDefinition = {
  id: 'opa',
  name: 'Open Policy Agent',
  version: '1.22.4',
  install: { kind: 'go', goPackage: 'github.com/open-policy-agent/opa', goModule: 'github.com/open-policy-agent/opa', binary: 'opa', minGo: { major: 1, minor: 24 } },
  image: 'openpolicyagent/opa:1.22.4',
  description: 'Open Policy Agent server: model compiled to Rego v1, relationships as indexed data, decision logs to a local collector',
  configurations: {
    nolog: 'without decision logging, to measure what the audit trail costs',
    bundle: `policy and data as a bundle OPA polls from the harness's HTTP server every ${DEFAULT_BUNDLE_DELAY_SECONDS} s (--set bundlePolling), instead of the data API`,
  },
  settings: {
    levels: { description: 'unrolled levels for intersection, exclusion and conditional edges (default 50)', form: { pattern: /^(0|[1-9]\d{0,3})$/, example: '50' } },
    bundlePolling: {
      description: `opa[bundle]: seconds between bundle polls (min = max delay; default ${DEFAULT_BUNDLE_DELAY_SECONDS})`,
      form: { pattern: /^[1-9]\d{0,4}$/, example: '1' },
    },
  },
  create: (configuration) =>
    defineAdapter(
      new OpaAdapter(definition, configuration === 'nolog' ? { decisionLogs: false } : configuration === 'bundle' ? { bundle: { delaySeconds: DEFAULT_BUNDLE_DELAY_SECONDS } } : {}),
    ),
};

export default definition;

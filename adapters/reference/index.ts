// The reference engine as an adapter: the neutral model evaluated in-process by
// src/reference/. It is the default engine and the oracle the others are compared with.

import { defineAdapter, type Adapter, type EngineDefinition } from '../../src/core/adapter.ts';
import type { Decision } from '../../src/core/request.ts';
import { ReferenceEngine, type ReferenceDecision } from '../../src/reference/engine.ts';
import { DEFAULT_MAX_DEPTH } from '../../src/reference/evaluate.ts';
import { packageVersion } from '../../src/core/version.ts';

/**
 * The engine's decision as the harness sees it: without the grant chain, the reason still built
 * only when read (a benchmark reads only `error`). A class: an object literal with a getter gets
 * a map of its own in V8, one per check. A spread copy has no `reason`; JSON has it.
 */
class HarnessDecision implements Decision {
  readonly allowed: boolean;
  decisionId?: string;
  error?: string;
  readonly #decision: ReferenceDecision;

  constructor(decision: ReferenceDecision) {
    this.allowed = decision.allowed;
    this.#decision = decision;
    if (decision.error !== undefined) this.error = decision.error;
    if (decision.decisionId !== undefined) this.decisionId = decision.decisionId;
  }

  get reason(): string {
    return this.#decision.reason ?? '';
  }

  toJSON(): Decision {
    return {
      allowed: this.allowed,
      reason: this.reason,
      ...(this.error !== undefined ? { error: this.error } : {}),
      ...(this.decisionId !== undefined ? { decisionId: this.decisionId } : {}),
    };
  }
}

const asDecision = (decision: ReferenceDecision): Decision => new HarnessDecision(decision);

/** `nolog`: no decision log, to measure what keeping it costs (and the evaluator alone). */
function createReference(configuration: string | undefined): Adapter {
  const logging = configuration !== 'nolog';
  let engine: ReferenceEngine | undefined;
  const loaded = (): ReferenceEngine => {
    if (!engine) throw new Error('reference engine: no model loaded (call loadModel first)');
    return engine;
  };
  return defineAdapter({
    embedded: true,
    decisionLog: logging ? 'decision' : 'none',
    info: () => ({
      name: definition.name,
      version: definition.version,
      launch: 'embedded',
      settings: { maxDepth: DEFAULT_MAX_DEPTH, decisionLog: logging ? 'in memory, every check' : 'off' },
    }),
    async loadModel(model) {
      engine = new ReferenceEngine(model, { decisionLog: logging });
    },
    async updateModel(model) {
      loaded().updateModel(model);
    },
    async write(relationships) {
      loaded().write(relationships);
    },
    // One write of the whole dataset: the store sizes its tables once and validates each shape once.
    async bulkLoad(relationships) {
      loaded().write(relationships);
    },
    async delete(relationships) {
      loaded().delete(relationships);
    },
    async check(request) {
      return asDecision(loaded().check(request));
    },
    async checkBatch(requests) {
      const e = loaded();
      return requests.map((request) => asDecision(e.check(request)));
    },
    async search(query) {
      return { ids: loaded().search(query), method: 'exact: every candidate checked (src/reference/engine.ts)' };
    },
    // Consistency tokens: the engine's revision; it always reads its current data, so any token it issued is satisfied.
    lastWriteToken: () => (engine ? String(engine.revision) : undefined),
    async checkWithToken(request, token) {
      const e = loaded();
      if (Number(token) > e.revision) return { allowed: false, error: `token ${token} is newer than the engine's revision ${e.revision}` };
      return asDecision(e.check(request));
    },
    ...(logging ? { readDecisionLog: async () => (engine ? engine.decisionLog() : []) } : {}),
    health: async () => undefined,
    memoryBytes: async () => process.memoryUsage().rss,
    async stop() {
      engine = undefined;
    },
  });
}

const definition: EngineDefinition = {
  id: 'reference',
  name: 'authz-bench reference engine',
  version: packageVersion(),
  install: { kind: 'embedded' },
  description: 'built-in reference engine: the neutral model evaluated in-process (the oracle)',
  first: true,
  configurations: { nolog: 'without the decision log: the evaluator alone' },
  create: createReference,
};

export default definition;

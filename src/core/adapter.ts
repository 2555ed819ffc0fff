// The engine adapter contract. Each engine lives in adapters/<id>/ and exports an
// EngineDefinition as its default export; the runner finds them by folder, so adding
// an engine edits no central list (src/engines/registry.ts).

import type { Model, ModelFeature } from '../model/types.ts';
import type { Relationship } from './relationship.ts';
import type { CheckRequest, Decision } from './request.ts';

/** What kind of log the engine itself keeps of its decisions. */
export type DecisionLogKind =
  /** A log of decisions, written by the engine (OPA decision logs, Cerbos audit logs). */
  | 'decision'
  /** A log of requests and responses, not a decision log (OpenFGA's request log). */
  | 'request'
  /** The engine keeps none; the harness's own client-side log is never counted for it. */
  | 'none';

export interface Capabilities {
  /** Model features this engine can express; a scenario using another is "unsupported". */
  features: ReadonlySet<ModelFeature>;
  /** Server-side batch checks; without it checkBatch loops over check. */
  batchCheck: boolean;
  decisionLog: DecisionLogKind;
  /** Whether the adapter can change the policy of a loaded model at run time. */
  policyUpdate: boolean;
  /** In-process (no network hop), as opposed to a server the harness talks to. */
  embedded: boolean;
}

/** How the engine was obtained; recorded in results with every figure. */
export interface EngineInfo {
  /** Adapter id, e.g. `openfga`; with a configuration suffix where one is set, e.g. `openfga[cache]`. */
  id: string;
  name: string;
  version: string;
  /** Launch strategy: `embedded`, `local`, `container` or `url`. */
  launch: string;
  /** Every setting that can change answers or timing (consistency, caches, datastore...). */
  settings: Record<string, string | number | boolean>;
}

/** One entry of the engine's own log, normalised for completeness checks. */
export interface DecisionLogEntry {
  /** The engine's id for the decision, matched with Decision.decisionId where both exist. */
  decisionId?: string;
  time?: string;
  subject?: string;
  action?: string;
  resource?: string;
  context?: Record<string, unknown>;
  allowed?: boolean;
  /** Matched policy, rule or grant chain, where the engine says. */
  reason?: string;
  /** Fields the log entry lacks that a decision log should have. */
  missing?: string[];
}

export interface RunContext {
  /** Folder of this run's results; engine logs go to `<dir>/engines/<id>.log`. */
  resultsDir: string;
  /** Free-form per-engine options from the CLI (e.g. `--engine openfga=http://...`). */
  options: Record<string, string>;
  log: (message: string) => void;
}

export interface EngineAdapter {
  readonly capabilities: Capabilities;
  /** Known after start(); `version` may be `unknown` before. */
  info(): EngineInfo;
  /** Why this engine cannot run a model, one reason per missing feature; empty when it can. */
  unsupported(model: Model): string[];
  start(context: RunContext): Promise<void>;
  /** Loads a scenario's model into a fresh store/policy set; earlier relationships are gone. */
  loadModel(model: Model): Promise<void>;
  /**
   * Native mode: loads the scenario's policy and data written in the engine's own language
   * (its `native.<engine id>` block) instead of translating the neutral model. Checks, writes
   * and deletes then go to it as usual.
   */
  loadNative?(native: NativeSpec): Promise<void>;
  /** Replaces the policy of the loaded model and keeps its relationships (policy revocation). */
  updateModel?(model: Model): Promise<void>;
  write(relationships: Relationship[]): Promise<void>;
  delete(relationships: Relationship[]): Promise<void>;
  check(request: CheckRequest): Promise<Decision>;
  checkBatch(requests: CheckRequest[]): Promise<Decision[]>;
  /** The engine's own log of decisions since loadModel; undefined when it keeps none. */
  readDecisionLog?(): Promise<DecisionLogEntry[]>;
  /**
   * Whether the engine can still answer: undefined when healthy, else why not (process
   * exited, health endpoint down). Asked after an error, to tell a crash from a bad case.
   */
  health?(): Promise<string | undefined>;
  /**
   * Time spent in the harness process per check before the engine sees it, e.g. Cerbos's
   * attribute resolver (the policy information point), so reports can show it apart.
   */
  clientSideCost?(): { label: string; count: number; totalMs: number };
  resetClientSideCost?(): void;
  /** Resident memory of the engine (its server process, or this process if embedded), for cost curves. */
  memoryBytes?(): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** A scenario's `native.<engine id>` block: free-form for the adapter, paths relative to baseDir. */
export interface NativeSpec {
  spec: Record<string, unknown>;
  /** The folder of the scenario file; relative paths in `spec` start here. */
  baseDir: string;
  /** The scenario file, for messages. */
  file: string;
}

export interface EngineDefinition {
  /** Folder name under adapters/. */
  id: string;
  /** One line for `authz-bench list engines`. */
  description: string;
  /** Named configurations that change answers or timing, e.g. `cache` for OpenFGA. */
  configurations?: string[];
  /** `baseline` engines (the no-op engine) only measure the harness; `run --engine all` skips them. */
  role?: 'engine' | 'baseline';
  create(configuration?: string): EngineAdapter;
}

// The engine adapter contract. Each engine lives in adapters/<id>/ and default-exports an
// EngineDefinition (what the engine is and how to obtain it) whose create() returns an
// adapter written with defineAdapter() (how to talk to it). The registry finds engines by
// folder, so adding an engine edits no central list (docs/architecture.md, "Adding an engine").

import type { Model } from '../model/types.ts';
import type { ObjectRef, Relationship } from './relationship.ts';
import type { CheckRequest, Decision } from './request.ts';
import type { SearchAnswer, SearchQuery } from './search.ts';

/** What kind of log the engine itself keeps of its decisions. */
export type DecisionLogKind =
  /** A log of decisions, written by the engine (OPA decision logs, Cerbos audit logs). */
  | 'decision'
  /** A log of requests and responses, not a decision log (OpenFGA's request log). */
  | 'request'
  /** The engine keeps none; the harness's own client-side log is never counted for it. */
  | 'none';

/** How the engine was obtained, as the adapter knows it; recorded in results with every figure. */
export interface AdapterInfo {
  name: string;
  version: string;
  /** Launch strategy: `embedded`, `local`, `container` or `url`. */
  launch: string;
  /** Every setting that can change answers or timing (consistency, caches, datastore...). */
  settings: Record<string, string | number | boolean>;
  /**
   * What the engine's own documentation promises about when a change is seen, quoted with its
   * source (revocation reports show it beside the new-enemy and timeline figures).
   */
  consistency?: ConsistencyPromise;
}

/** A quoted promise of the engine's documentation, and where it says it. */
export interface ConsistencyPromise {
  quote: string;
  source: string;
}

/** AdapterInfo with the engine id the registry gave it, e.g. `openfga[cache]`. */
export interface EngineInfo extends AdapterInfo {
  id: string;
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

/** How a server engine is to be obtained, as the user asked (`--launch`, `--engine id=URL`). */
export interface LaunchRequest {
  strategy: 'auto' | 'local' | 'container' | 'url';
  /** Set with `--engine id=URL`: the engine is already running there. */
  url?: string;
}

export interface RunContext {
  /** Folder of this run's results. */
  resultsDir: string;
  /** This engine's own log file in the results folder (one per engine configuration; `suffix` for extra files). */
  logFile(suffix?: string): string;
  /** `--set key=value` options that this engine declared in EngineDefinition.settings. */
  options: Record<string, string>;
  launch: LaunchRequest;
  log: (message: string) => void;
}

/** Time spent in the harness process per check before the engine sees it (e.g. Cerbos's attribute resolver). */
export interface ClientSideCost {
  label: string;
  count: number;
  totalMs: number;
}

/**
 * An HTTP request that asks the engine for one decision, for tools that drive the engine
 * with their own client (crosscheck with wrk, external load generators).
 */
export interface HttpCheck {
  method: 'POST' | 'GET';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** The server process that answers it, when it is ours (for pinning it to a core). */
  pid?: number;
}

/** What an adapter author writes. Only the decision path is required; defineAdapter() fills the rest. */
export interface AdapterSpec {
  /** In-process (no network hop), as opposed to a server the harness talks to. */
  embedded: boolean;
  /** The engine's own log of decisions; default `none`. */
  decisionLog?: DecisionLogKind;
  /**
   * Set when the harness cannot change the engine's policy or data (a PDP reached by URL
   * that serves its own, e.g. the generic AuthZEN engine): why. The scenario's model and
   * relationships are taken to be in place already, and scenarios whose steps change policy
   * or data are unsupported with this reason.
   */
  readOnly?: string;
  /** Known after start(); `version` may be `unknown` before. */
  info(): AdapterInfo;
  /** Why this engine cannot run a model, one reason per missing feature; default none. */
  unsupported?(model: Model): string[];
  /**
   * Why the engine cannot store or ask about this object (an id too long or in a form it
   * rejects), as the resource or the subject of a relationship or request; default none.
   * The runner asks it for every object a scenario names, so such a scenario is unsupported
   * with the reason instead of failing in setup.
   */
  unsupportedObject?(object: ObjectRef, role: 'resource' | 'subject'): string | undefined;
  /** Starts or connects to the engine; default nothing to do. */
  start?(context: RunContext): Promise<void>;
  /** Loads a scenario's model into a fresh store/policy set; earlier relationships are gone. */
  loadModel(model: Model): Promise<void>;
  /**
   * Native mode: loads the scenario's policy and data written in the engine's own language
   * (its `native.<engine folder>` block) instead of translating the neutral model.
   */
  loadNative?(native: NativeSpec): Promise<void>;
  /** Replaces the policy of the loaded model and keeps its relationships (policy revocation); absent: unsupported. */
  updateModel?(model: Model): Promise<void>;
  /**
   * Where updateModel (or write, delete) returns before the engine serves the change (a
   * watched folder, a polled bundle): waits until it does. The adapter records what is pending
   * (a policy write not yet seen served, a bundle not yet activated), waits for that only and
   * clears it; it returns at once when nothing is pending, without a call to the engine. The
   * runner calls it after loading a scenario (src/runner/load-scenario.ts) and after
   * `updateModel`, `write` and `delete` steps, so the steps after see the change; never in a
   * revocation timeline, which measures that delay.
   */
  settleModel?(): Promise<void>;
  write(relationships: Relationship[]): Promise<void>;
  /**
   * Many relationships into a freshly loaded model by the engine's fastest path (a whole
   * data document, a bulk import), for loading at scale; absent: `write` in chunks
   * (src/bench/scale-load.ts).
   */
  bulkLoad?(relationships: Relationship[]): Promise<void>;
  delete(relationships: Relationship[]): Promise<void>;
  check(request: CheckRequest): Promise<Decision>;
  /** Default: one check after another. */
  checkBatch?(requests: CheckRequest[]): Promise<Decision[]>;
  /** The AuthZEN searches through the engine's own search API; absent: search unsupported. */
  search?(query: SearchQuery): Promise<SearchAnswer>;
  /** The engine's own log of decisions since loadModel; absent when it keeps none. */
  readDecisionLog?(): Promise<DecisionLogEntry[]>;
  /**
   * Whether the engine can still answer: undefined when healthy, else why not (process
   * exited, health endpoint down). Asked after an error, to tell a crash from a bad case.
   */
  health?(): Promise<string | undefined>;
  /** Client-side time per check since the last reset, reported apart; default none. */
  clientSideCost?(): ClientSideCost;
  resetClientSideCost?(): void;
  /** Resident memory of the engine (its server process, or this process if embedded); default unknown. */
  memoryBytes?(): Promise<number | undefined>;
  /** What that memory figure leaves out, where it is not the engine's whole footprint (Cerbos: the relationships, held in the harness). */
  readonly memoryNote?: string;
  /**
   * Consistency tokens (Zanzibar's zookies, SpiceDB's ZedTokens), where the engine has them:
   * the token of the adapter's last write or delete, and a check at least as fresh as a token.
   * The runner's new-enemy check uses both; engines without tokens leave both out.
   */
  lastWriteToken?(): string | undefined;
  checkWithToken?(request: CheckRequest, token: string): Promise<Decision>;
  /** The HTTP request for one check, where the engine has an HTTP decision API; default none. */
  httpCheck?(request: CheckRequest): HttpCheck | undefined;
  /** Stops what start() started; no process may outlive the run. */
  stop?(): Promise<void>;
}

/** The complete adapter the harness uses: every member present. */
export interface Adapter {
  readonly embedded: boolean;
  readonly decisionLog: DecisionLogKind;
  /** See AdapterSpec.readOnly. */
  readOnly?: string;
  info(): AdapterInfo;
  unsupported(model: Model): string[];
  /** See AdapterSpec.unsupportedObject; absent when the engine takes any id the scenario format allows. */
  unsupportedObject?: (object: ObjectRef, role: 'resource' | 'subject') => string | undefined;
  start(context: RunContext): Promise<void>;
  loadModel(model: Model): Promise<void>;
  loadNative?: (native: NativeSpec) => Promise<void>;
  updateModel?: (model: Model) => Promise<void>;
  settleModel?: () => Promise<void>;
  write(relationships: Relationship[]): Promise<void>;
  delete(relationships: Relationship[]): Promise<void>;
  check(request: CheckRequest): Promise<Decision>;
  checkBatch(requests: CheckRequest[]): Promise<Decision[]>;
  search?: (query: SearchQuery) => Promise<SearchAnswer>;
  bulkLoad?: (relationships: Relationship[]) => Promise<void>;
  readDecisionLog?: () => Promise<DecisionLogEntry[]>;
  health(): Promise<string | undefined>;
  clientSideCost?: () => ClientSideCost;
  resetClientSideCost(): void;
  memoryBytes(): Promise<number | undefined>;
  memoryNote?: string;
  httpCheck(request: CheckRequest): HttpCheck | undefined;
  /** Consistency tokens, where the engine has them (AdapterSpec). */
  lastWriteToken?: () => string | undefined;
  checkWithToken?: (request: CheckRequest, token: string) => Promise<Decision>;
  stop(): Promise<void>;
}

/** An adapter with the id the registry gave it (`opa`, `opa[nolog]`, `openfga#2`). */
export interface EngineAdapter extends Adapter {
  readonly id: string;
  /** The engine's folder under adapters/ (the id without configuration), e.g. `opa`. */
  readonly definitionId: string;
  info(): EngineInfo;
}

/**
 * Fills the defaults of an adapter: sequential checkBatch, no decision log, no memory
 * figure, no client-side cost, nothing to start or stop. Works for object literals and
 * class instances alike (methods are called on `spec`, so `this` stays the instance).
 */
export function defineAdapter(spec: AdapterSpec): Adapter {
  const adapter: Adapter = {
    embedded: spec.embedded,
    decisionLog: spec.decisionLog ?? 'none',
    info: () => spec.info(),
    unsupported: (model) => spec.unsupported?.(model) ?? [],
    ...(spec.unsupportedObject ? { unsupportedObject: (object: ObjectRef, role: 'resource' | 'subject') => spec.unsupportedObject!(object, role) } : {}),
    start: async (context) => {
      await spec.start?.(context);
    },
    loadModel: (model) => spec.loadModel(model),
    write: (relationships) => spec.write(relationships),
    delete: (relationships) => spec.delete(relationships),
    check: (request) => spec.check(request),
    checkBatch: async (requests) => {
      if (spec.checkBatch) return spec.checkBatch(requests);
      const decisions: Decision[] = [];
      for (const request of requests) decisions.push(await spec.check(request));
      return decisions;
    },
    health: async () => spec.health?.(),
    resetClientSideCost: () => spec.resetClientSideCost?.(),
    memoryBytes: async () => spec.memoryBytes?.(),
    ...(spec.memoryNote ? { memoryNote: spec.memoryNote } : {}),
    httpCheck: (request) => spec.httpCheck?.(request),
    stop: async () => {
      await spec.stop?.();
    },
  };
  // Optional members stay absent where the engine lacks them: the runner reports that.
  if (spec.loadNative) adapter.loadNative = (native) => spec.loadNative!(native);
  if (spec.updateModel) adapter.updateModel = (model) => spec.updateModel!(model);
  if (spec.settleModel) adapter.settleModel = () => spec.settleModel!();
  if (spec.readDecisionLog) adapter.readDecisionLog = () => spec.readDecisionLog!();
  if (spec.search) adapter.search = (query) => spec.search!(query);
  if (spec.bulkLoad) adapter.bulkLoad = (relationships) => spec.bulkLoad!(relationships);
  if (spec.clientSideCost) adapter.clientSideCost = () => spec.clientSideCost!();
  if (spec.lastWriteToken && spec.checkWithToken) {
    adapter.lastWriteToken = () => spec.lastWriteToken!();
    adapter.checkWithToken = (request, token) => spec.checkWithToken!(request, token);
  }
  if (spec.readOnly) adapter.readOnly = spec.readOnly;
  return adapter;
}

/** A scenario's `native.<engine folder>` block: free-form for the adapter, paths relative to baseDir. */
export interface NativeSpec {
  spec: Record<string, unknown>;
  /** The folder of the scenario file; relative paths in `spec` start here. */
  baseDir: string;
  /** The scenario file, for messages. */
  file: string;
}

/** How `authz-bench engines install` obtains an engine. */
export type InstallRecipe =
  /** Nothing to install beyond `npm ci` (an npm dependency or code in this repository). */
  | { kind: 'embedded' }
  /** `go install <goPackage>@v<version>` into .engines/bin (needs Go >= minGo). */
  | { kind: 'go'; goPackage: string; goModule: string; binary: string; minGo: { major: number; minor: number } }
  /**
   * A binary shipped in an npm package: `<packagePrefix>-<os>-<cpu>` from the project's
   * dependencies, else installed into .engines/npm; `binary` is its file name.
   */
  | { kind: 'npm-binary'; packagePrefix: string; binary?: string }
  /** npm packages installed into .engines/npm/<engine id> (kept out of package.json, e.g. for their `engines` field). */
  | { kind: 'npm'; packages: string[] };

/** A further pinned part that some configurations of an engine need, installed beside it (e.g. SpiceDB's server binary). */
export interface EngineComponent {
  /** Names it in `engines install|status` and in AUTHZ_BENCH_<ID>_BIN, e.g. `spicedb-server`. */
  id: string;
  name: string;
  version: string;
  install: InstallRecipe;
  /** Pinned container image, where it has one. */
  image?: string;
}

/** A `--set key=value` option an engine understands. */
export interface SettingDefinition {
  description: string;
  /** Allowed values; any value when absent. */
  values?: readonly string[];
  /** The form a value must have (checked with the other options, before any engine starts), and an example of it. */
  form?: { pattern: RegExp; example: string };
}

export interface EngineDefinition {
  /** Folder name under adapters/. */
  id: string;
  /** The engine's own name, e.g. `Open Policy Agent`. */
  name: string;
  /** One line for `authz-bench list engines`. */
  description: string;
  /** The pinned version (what install installs), without a leading `v`; `-` for the harness's own. */
  version: string;
  install: InstallRecipe;
  /** Further pinned parts some configurations need; `engines install` installs them too. */
  components?: readonly EngineComponent[];
  /** Pinned container image for the `container` launch strategy; server engines only. */
  image?: string;
  /** Named configurations that change answers or timing, with what each changes. */
  configurations?: Readonly<Record<string, string>>;
  /** `--set` options this engine understands. */
  settings?: Readonly<Record<string, SettingDefinition>>;
  /**
   * `baseline` engines (the no-op engine) only measure the harness; `remote` engines are
   * reached by URL only (`--engine authzen=URL`). `run --engine all` and bench's defaults skip both.
   */
  role?: 'engine' | 'baseline' | 'remote';
  /** Listed and run first (the reference engine, the default). */
  first?: boolean;
  /** Lines for `engines status` on what else a configuration needs (e.g. where PostgreSQL is). */
  prerequisites?(): string[];
  /** `authz-bench import <id> <files...>`: the engine's own test file as a neutral scenario (YAML text) with scenario id `id`. */
  importScenario?(file: string, id: string): Promise<string>;
  create(configuration: string | undefined): Adapter;
}

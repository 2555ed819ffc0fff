// The OPA adapter: the neutral model becomes a Rego v1 policy (translate.ts), relationships
// become data under `data.authzbench` (data.ts), checks are POST /v1/data/authzbench/allow.
// undici's Pool (keep-alive): the @open-policy-agent/opa SDK adds nothing we
// use, and its batch call needs Enterprise OPA's /v1/batch/data (README.md).

import { Pool, type Dispatcher } from 'undici';
import type { AdapterInfo, AdapterSpec, ConsistencyPromise, DecisionLogEntry, DecisionLogKind, EngineDefinition, HttpCheck, NativeSpec, RunContext } from '../../src/core/adapter.ts';
import type { Relationship } from '../../src/core/relationship.ts';
import { GeneratedPolicy } from '../../src/engines/generated-policy.ts';
import { exchange } from '../../src/engines/http-exchange.ts';
import type { CheckRequest, Decision } from '../../src/core/request.ts';
import type { SearchAnswer, SearchQuery } from '../../src/core/search.ts';
import { waitForHealthy } from '../../src/engines/health.ts';
import { httpHealth, processMemoryBytes } from '../../src/engines/server.ts';
import { startServer, type StartedServer } from '../../src/engines/server-engine.ts';
import type { Model } from '../../src/model/types.ts';
import { OpaData, type PatchOp } from './data.ts';
import { DecisionLogCollector } from './decision-log-collector.ts';
import { BUNDLE_NAME, BundleServer, opaBundleConfig } from './bundle.ts';
import { opaDecisionLogConfig, opaServer } from './launcher.ts';
import { loadNativeOpa } from './native.ts';
import { DATA_ROOT, DEFAULT_LEVELS, DEPTH_LIMIT_FUNCTION, PACKAGE, translateModel, unsupportedReasons } from './translate.ts';

export interface OpaAdapterOptions {
  /** Unrolled levels for intersection/exclusion/conditional edges (translate.ts). */
  levels?: number;
  /** OPA decision logs to the local collector (default on); `opa[nolog]` turns them off. */
  decisionLogs?: boolean;
  /** `opa[bundle]`: policy and data as a bundle OPA polls from the harness (bundle.ts), every `delaySeconds`. */
  bundle?: { delaySeconds: number };
}

/** OPA's bundle documentation on when a bundle's change is enforced (quoted in revocation reports). */
const BUNDLE_PROMISE: ConsistencyPromise = {
  quote: 'The policies and data are loaded on the fly without requiring a restart of OPA. Once the policies and data have been loaded, they are enforced immediately.',
  source: 'https://www.openpolicyagent.org/docs/management-bundles (loaded at the next poll: bundles.<name>.polling.min/max_delay_seconds)',
};

const POLICY_ID = 'authzbench';
/** The bundle owns the package and data root both live under (data.authzbench). */
const BUNDLE_ROOTS = [DATA_ROOT];
/** Polling interval of `opa[bundle]` (OPA's own default is 60 to 120 s; production setups poll every few seconds to minutes). */
export const DEFAULT_BUNDLE_DELAY_SECONDS = 1;
/**
 * settleModel's wait for a published bundle, beyond two polling intervals (a publish just after
 * a poll began waits a whole interval for the next one): time for OPA to download the bundle and
 * build its store from it, seconds for a large data document on a loaded machine.
 */
const BUNDLE_ACTIVATION_MS = 30_000;

export class OpaAdapter implements AdapterSpec {
  readonly embedded = false;
  readonly decisionLog: DecisionLogKind;
  private readonly decisionLogs: boolean;
  private server: StartedServer | undefined;
  /** Keep-alive connections to the server (undici's Pool: about half the per-request cost of fetch). */
  private pool: Pool | undefined;
  private readonly collector = new DecisionLogCollector();
  /** `opa[bundle]` only: the harness's bundle server OPA polls. */
  private readonly bundles: BundleServer | undefined;
  private bundleDelaySeconds: number;
  private data: OpaData | undefined;
  /** The run (set by start): the generated policy is written beside the engine's log. */
  private context: RunContext | undefined;
  private policy: GeneratedPolicy | undefined;
  private levels: number;
  /** Decisions OPA timestamps before this (an earlier scenario's, delivered late) are dropped. */
  private loadedAt = 0;
  /** Native mode (loadNative): set while a native policy is (being) loaded. */
  private nativeMode = false;
  /** The data path the native data went to, cleared on the next load. */
  private nativeDataPath: string | undefined;

  constructor(
    private readonly definition: EngineDefinition,
    options: OpaAdapterOptions = {},
  ) {
    this.levels = options.levels ?? DEFAULT_LEVELS;
    this.decisionLogs = options.decisionLogs ?? true;
    this.decisionLog = this.decisionLogs ? 'decision' : 'none';
    this.bundles = options.bundle ? new BundleServer() : undefined;
    this.bundleDelaySeconds = options.bundle?.delaySeconds ?? DEFAULT_BUNDLE_DELAY_SECONDS;
    // opa[bundle] serves what its bundle carries, the translated model: a scenario's native Rego
    // is not for it, so it runs such a scenario's neutral model, like an engine with no native entry.
    if (!this.bundles) this.loadNative = (native) => this.loadNativePolicy(native);
  }

  /** Native mode (absent under opa[bundle]): the scenario's own Rego module and JSON data (native.ts, README.md). */
  readonly loadNative?: (native: NativeSpec) => Promise<void>;

  info(): AdapterInfo {
    return {
      name: this.definition.name,
      version: this.server?.version ?? 'unknown',
      launch: this.server?.launch ?? 'local',
      settings: {
        policy: 'generated Rego v1 (adapters/opa/translate.ts)',
        data: this.bundles
          ? `bundle (policy and data) from the harness's HTTP server on 127.0.0.1, polled every ${this.bundleDelaySeconds} s; indexed rels + reachability graph`
          : 'PUT/PATCH /v1/data, indexed rels + reachability graph',
        unrolledLevels: this.levels,
        client: 'undici Pool (keep-alive), dispatch()',
        decisionLogs: this.decisionLogs ? 'HTTP service to local collector, reporting delay 1 s' : 'off',
        batch: 'none (OSS OPA has no batch endpoint): sequential checks',
      },
      ...(this.bundles ? { consistency: BUNDLE_PROMISE } : {}),
    };
  }

  unsupported(model: Model): string[] {
    return unsupportedReasons(model);
  }

  async start(context: RunContext): Promise<void> {
    this.context = context;
    const levels = Number(context.options.levels);
    if (Number.isInteger(levels) && levels >= 0) this.levels = levels;
    const delay = Number(context.options.bundlePolling);
    if (Number.isInteger(delay) && delay >= 1) this.bundleDelaySeconds = delay;
    const collectorUrl = this.decisionLogs ? await this.collector.start() : undefined;
    try {
      const logs = collectorUrl ? opaDecisionLogConfig(collectorUrl) : {};
      let config: Record<string, unknown> = logs;
      if (this.bundles) {
        const bundleConfig = opaBundleConfig(await this.bundles.start(), this.bundleDelaySeconds);
        // An empty bundle until the first model, so that OPA's first poll finds one.
        this.bundles.publish({}, {}, BUNDLE_ROOTS);
        config = { ...logs, ...bundleConfig, services: { ...(logs.services as object), ...(bundleConfig.services as object) } };
      }
      const recipe = opaServer(this.definition, config);
      this.server = await startServer(recipe, { launch: context.launch, logFile: context.logFile() });
    } catch (error) {
      await this.collector.stop();
      await this.bundles?.stop();
      throw error;
    }
  }

  /** The decision endpoint a check uses, for cross-checking with an independent load tool. */
  httpCheck(request: CheckRequest): HttpCheck {
    return {
      method: 'POST',
      url: `${this.url}/v1/data/${PACKAGE}/allow`,
      headers: { ...this.server?.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ input: request }),
      ...(this.server?.pid ? { pid: this.server.pid } : {}),
    };
  }

  private get url(): string {
    if (!this.server) throw new Error('OPA is not started');
    return this.server.url;
  }

  /** One HTTP exchange; the status is the caller's to judge. */
  private async send(method: Dispatcher.HttpMethod, pathname: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; text: string }> {
    this.pool ??= new Pool(this.url, { connections: 64, pipelining: 1 });
    return exchange(this.pool, {
      path: pathname,
      method,
      headers: { ...this.server?.headers, ...(body === undefined ? {} : { 'content-type': contentType }) },
      body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  private async request(method: Dispatcher.HttpMethod, pathname: string, body?: unknown, contentType = 'application/json'): Promise<unknown> {
    const { status, text } = await this.send(method, pathname, body, contentType);
    if (status >= 300) throw new Error(`OPA ${method} ${pathname}: HTTP ${status}: ${text.slice(0, 2000)}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  private async putPolicy(model: Model): Promise<void> {
    const rego = translateModel(model, { levels: this.levels });
    this.policy = GeneratedPolicy.write(this.context, 'authzbench.rego', rego);
    if (this.bundles) this.rego = rego;
    else await this.request('PUT', `/v1/policies/${POLICY_ID}`, rego, 'text/plain');
  }

  /** `opa[bundle]`: the policy of the current model, for the next bundle. */
  private rego = '';

  /** `opa[bundle]`: the revision published last and not yet seen active; settleModel waits for it. */
  private pendingRevision: string | undefined;

  /** `opa[bundle]`: a new revision with the current policy and data; OPA applies it at its next poll. */
  private publish(): void {
    this.pendingRevision = this.bundles!.publish({ 'authzbench.rego': this.rego }, { [DATA_ROOT]: this.requireData().document() }, BUNDLE_ROOTS);
  }

  /**
   * `opa[bundle]`: waits until OPA has activated the revision published last (its manifest in
   * data.system.bundles); returns at once when that was seen already, or nothing was published.
   */
  async settleModel(): Promise<void> {
    const wanted = this.pendingRevision;
    if (wanted === undefined) return;
    await waitForHealthy({
      probe: async () => {
        const { status, text } = await this.send('GET', `/v1/data/system/bundles/${BUNDLE_NAME}/manifest/revision`);
        return status === 200 && (JSON.parse(text) as { result?: unknown }).result === wanted ? undefined : `HTTP ${status}: ${text.slice(0, 200)}`;
      },
      timeoutMs: 2 * this.bundleDelaySeconds * 1000 + BUNDLE_ACTIVATION_MS,
      intervalMs: 20,
      notReady: `OPA did not activate bundle revision ${wanted}`,
    });
    // A publish while waiting is still pending.
    if (this.pendingRevision === wanted) this.pendingRevision = undefined;
  }

  /** Why OPA answered as it did, as far as a boolean `allow` tells: the generated rules that decide it. */
  private reasonFor(request: CheckRequest, allowed: boolean): string | undefined {
    // Native mode: the scenario's own policy, which the user wrote and knows.
    if (!this.policy) return undefined;
    const { type } = request.resource;
    const name = request.action.name;
    const where = this.policy.describe(
      `${type}#${name}`,
      `the rules of ${type}#${name} (exclusion, intersection, conditional edges)`,
      (line, previous) => line.trim() === `name == ${JSON.stringify(name)}` && previous.trim() === `t == ${JSON.stringify(type)}`,
    );
    return `OPA: data.${PACKAGE}.allow is ${allowed}; ${where}; unions through direct_names and the graph data.${DATA_ROOT}.g`;
  }

  async loadModel(model: Model): Promise<void> {
    const reasons = unsupportedReasons(model);
    if (reasons.length) throw new Error(`OPA cannot express this model: ${reasons.join('; ')}`);
    this.data = new OpaData(model);
    if (this.nativeMode) {
      // The native module's rules could clash with the translated data: remove both first.
      await this.send('DELETE', `/v1/policies/${POLICY_ID}`);
      if (this.nativeDataPath) await this.send('DELETE', `/v1/data/${this.nativeDataPath}`);
      this.nativeMode = false;
      this.nativeDataPath = undefined;
    }
    if (this.bundles) {
      await this.putPolicy(model);
      this.publish();
      // A fresh model is in force when loadModel returns (the contract): wait for OPA's poll.
      await this.settleModel();
    } else {
      await this.request('PUT', `/v1/data/${DATA_ROOT}`, this.data.document());
      this.data.markSent();
      await this.putPolicy(model);
    }
    this.collector.clear();
    this.loadedAt = Date.now();
  }

  private async loadNativePolicy(native: NativeSpec): Promise<void> {
    this.data = undefined;
    this.nativeMode = true;
    this.policy = undefined;
    const files = await loadNativeOpa(native, (method, pathname, body, contentType) => this.send(method, pathname, body, contentType), this.nativeDataPath);
    this.nativeDataPath = files.dataPath;
    this.collector.clear();
    this.loadedAt = Date.now();
  }

  /** Policy revocation: a new policy (PUT /v1/policies) and the graph edges it implies. */
  async updateModel(model: Model): Promise<void> {
    const data = this.requireData();
    data.setModel(model);
    if (this.bundles) {
      await this.putPolicy(model);
      this.publish();
      return;
    }
    const { g, gi } = data.document();
    await this.request('PUT', `/v1/data/${DATA_ROOT}/g`, g);
    await this.request('PUT', `/v1/data/${DATA_ROOT}/gi`, gi);
    data.markSent();
    await this.putPolicy(model);
  }

  private requireData(): OpaData {
    if (!this.data) {
      throw new Error(this.nativeMode ? 'native mode: relationships cannot be written to or deleted from native OPA data (edit the native data file)' : 'no model loaded');
    }
    return this.data;
  }

  private async patch(ops: PatchOp[]): Promise<void> {
    if (ops.length === 0) return;
    await this.request('PATCH', `/v1/data/${DATA_ROOT}`, ops, 'application/json-patch+json');
  }

  async write(relationships: Relationship[]): Promise<void> {
    const ops = this.requireData().write(relationships);
    if (this.bundles) this.publish();
    else await this.patch(ops);
  }

  /** At scale: the mirror takes every relationship, then one PUT of the whole data document (a patch per relationship would be 10^5 operations). */
  async bulkLoad(relationships: Relationship[]): Promise<void> {
    const data = this.requireData();
    // In slices: the mirror's patch of one write is built as one array (its operations are not sent here).
    for (let i = 0; i < relationships.length; i += 1000) data.write(relationships.slice(i, i + 1000));
    // With bundles the data root is the bundle's: OPA refuses the data API there (HTTP 400); the next bundle carries it (settleModel waits for it).
    if (this.bundles) return this.publish();
    await this.request('PUT', `/v1/data/${DATA_ROOT}`, data.document());
    data.markSent();
  }

  async delete(relationships: Relationship[]): Promise<void> {
    const ops = this.requireData().delete(relationships);
    if (this.bundles) this.publish();
    else await this.patch(ops);
  }

  async check(request: CheckRequest): Promise<Decision> {
    try {
      const answer = (await this.request('POST', `/v1/data/${PACKAGE}/allow`, { input: request })) as {
        result?: unknown;
        decision_id?: string;
      };
      const decisionId = answer.decision_id ? { decisionId: answer.decision_id } : {};
      if (typeof answer.result !== 'boolean') {
        return { allowed: false, error: `OPA returned a non-boolean result: ${JSON.stringify(answer.result)}`, ...decisionId };
      }
      // `allow` is a boolean: OPA says no more about why, so the reason points into the generated policy.
      const reason = this.reasonFor(request, answer.result);
      return { allowed: answer.result, ...(reason ? { reason } : {}), ...decisionId };
    } catch (error) {
      const message = (error as Error).message;
      if (message.includes(DEPTH_LIMIT_FUNCTION)) {
        return {
          allowed: false,
          error: `depth limit exceeded: a path goes through more than ${this.levels} intersections, exclusions or conditional userset/tupleset relationships (--set levels=N)`,
        };
      }
      return { allowed: false, error: message };
    }
  }

  /**
   * The three searches through enumerating rules generated beside `allow` (translate.ts):
   * `search_resources`, `search_subjects`, `search_actions`, each a set rule over the
   * candidates the data holds, decided by the same check.
   */
  async search(query: SearchQuery): Promise<SearchAnswer> {
    if (this.nativeMode) return { unsupported: 'search: a native Rego policy has no generated search rules' };
    const context = query.context ? { context: query.context } : {};
    const input =
      query.kind === 'resources'
        ? { subject: query.subject, action: query.action, resource: { type: query.resourceType }, ...context }
        : query.kind === 'subjects'
          ? { subject: { type: query.subjectType }, action: query.action, resource: query.resource, ...context }
          : { subject: query.subject, resource: query.resource, ...context };
    try {
      const answer = (await this.request('POST', `/v1/data/${PACKAGE}/search_${query.kind}`, { input })) as { result?: unknown };
      const ids = answer.result ?? [];
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) return { error: `OPA returned a non-list search result: ${JSON.stringify(answer.result).slice(0, 200)}` };
      return { ids, method: `enumerating rule search_${query.kind} (generated Rego, every candidate in the data checked)` };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }

  /** What OPA's decision log plugin delivered to the collector since loadModel. */
  async readDecisionLog(): Promise<DecisionLogEntry[]> {
    return this.collector
      .received()
      .filter(({ event }) => !event.timestamp || Date.parse(event.timestamp) >= this.loadedAt)
      .filter(({ event }) => (event.path ?? '').replace(/^\/+/, '').startsWith(`${PACKAGE}/allow`))
      .map(({ event, receivedAt }) => toEntry(event, receivedAt));
  }

  /** Delivery delays (ms from OPA's decision timestamp to arrival at the collector). */
  deliveryDelaysMs(): number[] {
    return this.collector
      .received()
      .filter(({ event }) => event.timestamp)
      .map(({ event, receivedAt }) => receivedAt - Date.parse(event.timestamp!));
  }

  async health(): Promise<string | undefined> {
    if (!this.server) return 'OPA is not started';
    return httpHealth('OPA', `${this.server.url}/health`, this.server.headers);
  }

  async memoryBytes(): Promise<number | undefined> {
    return processMemoryBytes(this.server?.pid);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const pool = this.pool;
    this.pool = undefined;
    try {
      await pool?.destroy();
      await server?.stop();
    } finally {
      await this.collector.stop();
      await this.bundles?.stop();
    }
  }
}

function toEntry(event: import('./decision-log-collector.ts').OpaDecisionEvent, receivedAt: number): DecisionLogEntry {
  const input = (event.input ?? {}) as Partial<CheckRequest>;
  const entry: DecisionLogEntry = { missing: [] };
  if (event.decision_id) entry.decisionId = event.decision_id;
  entry.time = event.timestamp ?? new Date(receivedAt).toISOString();
  if (input.subject) entry.subject = `${input.subject.type}:${input.subject.id}`;
  if (input.action) entry.action = input.action.name;
  if (input.resource) entry.resource = `${input.resource.type}:${input.resource.id}`;
  if (input.context) entry.context = input.context;
  if (typeof event.result === 'boolean') entry.allowed = event.result;
  // OPA logs the query's result only; a boolean `allow` carries no reason.
  for (const field of ['decisionId', 'subject', 'action', 'resource', 'allowed'] as const) {
    if (entry[field] === undefined) entry.missing!.push(field);
  }
  entry.missing!.push('reason');
  return entry;
}

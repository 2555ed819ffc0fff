// The Cerbos adapter: a stateless PDP. The neutral model becomes one Cerbos resource policy
// per type, its rules' conditions in CEL (translate.ts); relationships stay here, in the resolver (resolver.ts),
// which turns them into principal/resource attributes for every check; Cerbos decides.
// Client: @cerbos/grpc (checkResources, one call per principal for batches).
// Policy store, as a configuration:
//   disk (default): policy files in a watched directory (storage.disk.watchForChanges);
//     loadModel waits until Cerbos serves the new policy version, updateModel returns after
//     writing (the runner's revocation polling measures the watcher's delay);
//   admin: the Admin API (addOrUpdatePolicies) on a mutable in-memory sqlite3 store.
// Audit: Cerbos's own decision log (audit backend `file`), read back by readDecisionLog.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Policy } from '@cerbos/core';
import { GRPC } from '@cerbos/grpc';
import { stringify } from 'yaml';
import type { AuthzenClient } from '../../src/authzen/client.ts';
import type { AdapterInfo, AdapterSpec, DecisionLogEntry, EngineDefinition, NativeSpec, RunContext } from '../../src/core/adapter.ts';
import type { Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest, Decision } from '../../src/core/request.ts';
import { actionsByType, type SearchAnswer, type SearchQuery } from '../../src/core/search.ts';
import { GeneratedPolicy } from '../../src/engines/generated-policy.ts';
import { waitForHealthy } from '../../src/engines/health.ts';
import { logSize } from '../../src/engines/log-offset.ts';
import { binaryPath } from '../../src/engines/paths.ts';
import { processMemoryBytes } from '../../src/engines/server.ts';
import type { Model } from '../../src/model/types.ts';
import { cerbosAuthzenClient, toAuthzenRequest } from './authzen.ts';
import { type CerbosServer, startCerbos } from './launcher.ts';
import { clearPolicyDir, loadNativeCerbos, type NativeState, nativeAttributes } from './native.ts';
import { Resolver } from './resolver.ts';
import { searchCerbos } from './search.ts';
import { type CerbosPolicyDoc, PROBE_ROLE, type ResolverPlan, ruleName, translateModel, unsupportedReasons, writeProbeAction } from './translate.ts';

export type CerbosMode = 'disk' | 'admin';
/** How checks reach Cerbos: its gRPC API, or its AuthZEN endpoints (configuration `authzen`, authzen.ts). */
export type CerbosCheckApi = 'grpc' | 'authzen';

/** Cerbos's default `server.requestLimits.maxResourcesPerRequest`. */
const MAX_RESOURCES_PER_REQUEST = 50;
/** How long a policy write may take to be served: the disk store's watcher applies changes after a debounce of seconds, more on a loaded machine. */
const POLICY_SERVED_TIMEOUT_MS = 30_000;
const EMPTY_PLAN: ResolverPlan = { tuplesets: new Map(), closures: new Map(), paths: new Map(), usersetTargets: new Set(), permissionTargets: new Map(), relations: new Map() };

export interface ResolverStats {
  /** Checks resolved (one per request, batches included). */
  count: number;
  /** Total time spent resolving attributes, milliseconds. */
  totalMs: number;
}

export class CerbosAdapter implements AdapterSpec {
  readonly embedded = false;
  // Cerbos is stateless: the relationships a check reads are resolved into attributes by the harness.
  readonly memoryNote = "the relationships live in the harness's attribute resolver, not in the server: not counted";
  readonly decisionLog = 'decision';
  private server: CerbosServer | undefined;
  private client: GRPC | undefined;
  private readonly resolver = new Resolver(EMPTY_PLAN);
  private plan: ResolverPlan = EMPTY_PLAN;
  private loads = 0;
  /** The run (set by start), and the generated policy of each resource kind (disk: the watched file; admin: a copy beside the log). */
  private context: RunContext | undefined;
  private policyFiles = new Map<string, GeneratedPolicy>();
  /** Policy writes so far: each carries its own probe action (translate.ts writeProbeAction). */
  private writes = 0;
  /** The policy write not yet seen served (settleModel waits for its probe action); relationships never are: they live in the resolver. */
  private unconfirmedWrite: number | undefined;
  private version = 'm0';
  private types: string[] = [];
  private auditOffset = 0;
  private includeMetadata = true;
  /** Set by loadNative: checks send the native attributes file's attributes (native.ts). */
  private native: NativeState | undefined;
  private authzen: AuthzenClient | undefined;
  /** Relations and permissions per type of the loaded neutral model (action search); undefined in native mode. */
  private actionsByType: Map<string, string[]> | undefined;

  constructor(
    private readonly definition: EngineDefinition,
    readonly mode: CerbosMode = 'disk',
    readonly api: CerbosCheckApi = 'grpc',
  ) {}

  info(): AdapterInfo {
    return {
      name: this.definition.name,
      version: this.server?.version ?? 'unknown',
      launch: this.server?.launch ?? 'local',
      settings: {
        policyStore: this.mode === 'admin' ? 'sqlite3 :memory: via Admin API addOrUpdatePolicies' : 'disk, watchForChanges: true',
        policies: 'generated resource policies, one per type, CEL rule conditions (adapters/cerbos/translate.ts)',
        attributes: 'in-process resolver (adapters/cerbos/resolver.ts): memberships, node table, closures',
        client:
          this.api === 'authzen' ? 'AuthZEN 1.0 over HTTP (endpoints from the metadata document); policies loaded and probed over gRPC' : '@cerbos/grpc 0.27.0, plaintext gRPC on 127.0.0.1',
        batch:
          this.api === 'authzen'
            ? `AuthZEN evaluations per principal, up to ${MAX_RESOURCES_PER_REQUEST} items per call`
            : `checkResources per principal, up to ${MAX_RESOURCES_PER_REQUEST} resources per call`,
        includeMetadata: this.includeMetadata,
        audit: 'decision logs, file backend',
        search: 'PlanResources, the plan applied by the harness to the resources the resolver knows; subjects by candidate checks; actions by CheckResources',
      },
    };
  }

  unsupported(model: Model): string[] {
    return unsupportedReasons(model);
  }

  /** The PDP's HTTP URL and the loaded policy version, once started and loaded (tests measure the HTTP APIs). */
  servedAt(): { url: string | undefined; policyVersion: string } {
    return { url: this.server?.url, policyVersion: this.version };
  }

  /** Time spent in the resolver (the policy information point), separate from Cerbos's own latency. */
  resolverStats(): ResolverStats {
    return this.resolver.stats();
  }

  resetResolverStats(): void {
    this.resolver.resetStats();
  }

  clientSideCost(): { label: string; count: number; totalMs: number } {
    return { label: 'attribute resolver', ...this.resolver.stats() };
  }

  resetClientSideCost(): void {
    this.resolver.resetStats();
  }

  async start(context: RunContext): Promise<void> {
    this.context = context;
    if (context.options.metadata === 'false') this.includeMetadata = false;
    const auditLogFile = context.logFile('audit');
    rmSync(auditLogFile, { force: true });
    const policyDir = context.logFile('policies').replace(/\.log$/, '');
    rmSync(policyDir, { recursive: true, force: true });
    const options = {
      ...(this.mode === 'disk' ? { policyDir, watchForChanges: true } : { adminApi: true }),
      auditLogFile,
      logLevel: 'warn' as const,
      ...(context.options.grpc ? { grpcAddress: context.options.grpc } : {}),
    };
    this.server = await startCerbos(this.definition, options, { launch: context.launch, logFile: context.logFile() });
    const admin = this.server.adminCredentials;
    this.client = new GRPC(this.server.grpcAddress, { tls: false, ...(admin ? { adminCredentials: admin } : {}) });
    if (this.api === 'authzen') this.authzen = await cerbosAuthzenClient(this.server.url, this.server.headers);
  }

  private get cerbos(): GRPC {
    if (!this.client) throw new Error('Cerbos is not started');
    return this.client;
  }

  async loadModel(model: Model): Promise<void> {
    this.version = `m${++this.loads}`;
    const dir = this.server?.policyDir;
    if (this.native && this.mode === 'disk' && dir) clearPolicyDir(dir);
    this.native = undefined;
    this.resolver.clear();
    this.actionsByType = actionsByType(model);
    this.plan = translateModel(model, this.version).plan;
    this.resolver.setPlan(this.plan);
    const auditFile = this.server?.auditLogFile;
    this.auditOffset = logSize(auditFile);
    await this.putPolicies(model, true);
    await this.settleModel();
  }

  /** Native mode: hand-written Cerbos policies and static attributes (native.ts). */
  async loadNative(native: NativeSpec): Promise<void> {
    this.version = `m${++this.loads}`;
    this.resolver.clear();
    this.native = undefined;
    this.actionsByType = undefined;
    const auditFile = this.server?.auditLogFile;
    this.auditOffset = logSize(auditFile);
    // The native loader waits for its own probe: nothing of ours is pending.
    this.unconfirmedWrite = undefined;
    const dir = this.server?.policyDir;
    this.native = await loadNativeCerbos(native, {
      cerbos: this.cerbos,
      ...(this.mode === 'disk' && dir ? { policyDir: dir } : {}),
      admin: !!this.server?.adminCredentials,
      load: this.version,
      binary: binaryPath(this.definition),
    });
  }

  async updateModel(model: Model): Promise<void> {
    if (this.native) throw new Error('Cerbos native mode: updateModel needs a neutral model loaded with loadModel');
    const next = translateModel(model, this.version).plan;
    // Until Cerbos serves the new policy, the old one may still ask for its facts: supply both.
    this.plan = mergePlans(this.plan, next);
    this.actionsByType = actionsByType(model);
    this.resolver.setPlan(this.plan);
    await this.putPolicies(model, false);
  }

  /**
   * Waits until Cerbos serves the policy written last (its disk watcher is asynchronous);
   * returns at once when that was seen already: relationship writes touch only the resolver.
   */
  async settleModel(): Promise<void> {
    const write = this.unconfirmedWrite;
    if (write === undefined) return;
    await this.waitForVersion(writeProbeAction(write));
    // A policy written while waiting is still pending.
    if (this.unconfirmedWrite === write) this.unconfirmedWrite = undefined;
  }

  private async putPolicies(model: Model, fresh: boolean): Promise<void> {
    const { policies } = translateModel(model, this.version, ++this.writes);
    this.types = [...model.types.values()].filter((t) => t.relations.size + t.permissions.size > 0).map((t) => t.name);
    const dir = this.server?.policyDir;
    this.policyFiles = new Map(
      [...policies].map(([file, doc]) => {
        const text = stringify(doc, { lineWidth: 0 });
        const kind = doc.resourcePolicy.resource;
        return [kind, this.mode === 'disk' && dir ? GeneratedPolicy.at(path.join(dir, file), text) : GeneratedPolicy.write(this.context, file, text)];
      }),
    );
    if (this.mode === 'disk' && dir) writePolicyDir(dir, policies, fresh);
    else {
      if (!this.server?.adminCredentials) throw new Error('Cerbos: no policy directory and no admin API to load policies into');
      await this.cerbos.addOrUpdatePolicies({ policies: [...policies.values()] as unknown as Policy[] });
    }
    this.unconfirmedWrite = this.writes;
  }

  /** Polls until every type's resource policy at the current version allows `action` to the probe role, i.e. that write is served. */
  private async waitForVersion(action: string): Promise<void> {
    if (this.types.length === 0) return;
    await waitForHealthy({
      probe: async () => {
        const response = await this.cerbos.checkResources({
          principal: { id: PROBE_ROLE, roles: [PROBE_ROLE] },
          resources: this.types.map((kind) => ({ resource: { kind, id: 'probe', policyVersion: this.version, attr: {} }, actions: [action] })),
          includeMetadata: true,
        });
        const served = response.results.every(
          (r) => r.actions[action] === 'EFFECT_ALLOW' && (r.metadata?.actions[action]?.matchedPolicy ?? '') === `resource.${r.resource.kind}.v${this.version}`,
        );
        return served ? undefined : response.results.map((r) => `${r.resource.kind}: ${JSON.stringify(r.metadata?.actions ?? {})}`).join('; ');
      },
      timeoutMs: POLICY_SERVED_TIMEOUT_MS,
      intervalMs: 25,
      notReady: `Cerbos did not serve policy version ${this.version}`,
    });
  }

  async write(relationships: Relationship[]): Promise<void> {
    this.refuseInNativeMode('write');
    this.resolver.write(relationships);
  }

  async delete(relationships: Relationship[]): Promise<void> {
    this.refuseInNativeMode('delete');
    this.resolver.delete(relationships);
  }

  private refuseInNativeMode(what: string): void {
    if (this.native)
      throw new Error(`Cerbos native mode: cannot ${what} relationships; the facts are the static attributes of ${this.native.attributesFile ?? 'the native block (none given)'}`);
  }

  async check(request: CheckRequest): Promise<Decision> {
    const [decision] = await this.checkBatch([request]);
    return decision!;
  }

  async checkBatch(requests: CheckRequest[]): Promise<Decision[]> {
    return this.checkAll(requests, true);
  }

  /** `viaWildcard` false: each subject alone, not as a member of its type's wildcard (resolver.ts, `principal`). */
  private async checkAll(requests: CheckRequest[], viaWildcard: boolean): Promise<Decision[]> {
    const decisions: Decision[] = new Array(requests.length);
    // One checkResources call per principal (subject and its properties), in chunks.
    const groups = new Map<string, number[]>();
    requests.forEach((request, i) => {
      const key = JSON.stringify([request.subject.type, request.subject.id, request.subject.properties ?? null]);
      const list = groups.get(key);
      if (list) list.push(i);
      else groups.set(key, [i]);
    });
    const calls: Promise<void>[] = [];
    for (const indexes of groups.values()) {
      for (let from = 0; from < indexes.length; from += MAX_RESOURCES_PER_REQUEST) {
        calls.push(this.checkGroup(requests, indexes.slice(from, from + MAX_RESOURCES_PER_REQUEST), decisions, viaWildcard));
      }
    }
    await Promise.all(calls);
    return decisions;
  }

  private async checkGroup(requests: CheckRequest[], indexes: number[], out: Decision[], viaWildcard: boolean): Promise<void> {
    const resolved: { index: number; attrs: ReturnType<Resolver['resolve']> }[] = [];
    for (const index of indexes) {
      try {
        resolved.push({ index, attrs: this.native ? nativeAttributes(this.native, requests[index]!) : this.resolver.resolve(requests[index]!, viaWildcard) });
      } catch (error) {
        out[index] = { allowed: false, error: `resolver: ${error instanceof Error ? error.message : String(error)}` };
      }
    }
    if (resolved.length === 0) return;
    if (this.authzen) return this.checkOverAuthzen(this.authzen, requests, resolved, out);
    const principal = resolved[0]!.attrs.principal;
    const response = await this.cerbos.checkResources({
      principal: { id: principal.id, roles: principal.roles, attr: principal.attr as never },
      resources: resolved.map(({ index, attrs }) => ({
        resource: { kind: attrs.resource.kind, id: attrs.resource.id, ...this.policyOf(attrs.resource.kind), attr: attrs.resource.attr as never },
        actions: [requests[index]!.action.name],
      })),
      includeMetadata: this.includeMetadata,
    });
    resolved.forEach(({ index }, i) => {
      const result = response.results[i];
      const action = requests[index]!.action.name;
      if (!result) {
        out[index] = { allowed: false, error: 'Cerbos returned fewer results than resources sent', decisionId: response.cerbosCallId };
        return;
      }
      const effect = result.actions[action];
      const allowed = effect === 'EFFECT_ALLOW';
      const meta = result.metadata?.actions[action];
      const rule = this.native ? 'a rule' : `rule ${ruleName(action)}`;
      const reason = meta ? `${allowed ? rule : 'no rule allowed'} (policy ${meta.matchedPolicy || 'none'}${this.ruleFile(requests[index]!)})` : undefined;
      const errors = result.validationErrors.map((e) => `${e.path}: ${e.message}`);
      out[index] = {
        allowed,
        decisionId: decisionId(response.cerbosCallId, i, resolved.length),
        ...(reason ? { reason } : {}),
        ...(errors.length ? { error: `validation: ${errors.join('; ')}` } : {}),
      };
    });
  }

  /** The same checks through Cerbos's AuthZEN endpoints: one evaluations call (authzen.ts). */
  private async checkOverAuthzen(client: AuthzenClient, requests: CheckRequest[], resolved: { index: number; attrs: ReturnType<Resolver['resolve']> }[], out: Decision[]): Promise<void> {
    // Cerbos answers the items of one evaluations call that name the same resource with one item's
    // properties (the unfolding and the context differ per action and request): one call per set of distinct resources.
    const calls: (typeof resolved)[] = [];
    for (const item of resolved) {
      const key = `${item.attrs.resource.kind}:${item.attrs.resource.id}`;
      const call = calls.find((c) => !c.some((other) => `${other.attrs.resource.kind}:${other.attrs.resource.id}` === key));
      if (call) call.push(item);
      else calls.push([item]);
    }
    await Promise.all(
      calls.map(async (call) => {
        const items = call.map(({ index, attrs }) => toAuthzenRequest(attrs, requests[index]!.action.name, this.policyOf(attrs.resource.kind), requests[index]!.subject.type));
        const decisions = await client.evaluateMany(items);
        call.forEach(({ index }, i) => (out[index] = decisions[i]!));
      }),
    );
  }

  /** PlanResources applied to the known resources, subjects and actions by checks (search.ts). */
  async search(query: SearchQuery): Promise<SearchAnswer> {
    return searchCerbos(query, {
      cerbos: this.cerbos,
      resolver: this.resolver,
      policyVersion: this.version,
      actions: this.actionsByType,
      checkBatch: (requests) => this.checkBatch(requests),
      checkBatchByName: (requests) => this.checkAll(requests, false),
    });
  }

  /** Where the checked action's generated rule is: `, generated policy <file>, rule ... at line N`. */
  private ruleFile(request: CheckRequest): string {
    const policy = this.native ? undefined : this.policyFiles.get(request.resource.type);
    if (!policy) return '';
    const rule = ruleName(request.action.name);
    return `, ${policy.describe(rule, `rule ${rule}`, (line) => line.trim() === `name: ${rule}`)}`;
  }

  /** The policy version (and scope) a check names: the load's generated version, or the native policy's own. */
  private policyOf(kind: string): { policyVersion: string; scope?: string } {
    if (!this.native) return { policyVersion: this.version };
    const p = this.native.policies.get(kind);
    return { policyVersion: p?.version ?? 'default', ...(p?.scope ? { scope: p.scope } : {}) };
  }

  async readDecisionLog(): Promise<DecisionLogEntry[]> {
    const file = this.server?.auditLogFile;
    if (!file || !existsSync(file)) return [];
    const text = readFileSync(file).subarray(this.auditOffset).toString('utf8');
    return parseAuditLog(text);
  }

  async health(): Promise<string | undefined> {
    try {
      const r = await this.cerbos.checkHealth();
      return String(r.status).includes('SERVING') && !String(r.status).includes('NOT') ? undefined : `Cerbos health: ${String(r.status)}`;
    } catch (error) {
      return `Cerbos health check failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  async memoryBytes(): Promise<number | undefined> {
    return processMemoryBytes(this.server?.pid);
  }

  async stop(): Promise<void> {
    await this.authzen?.close();
    this.authzen = undefined;
    this.client?.close();
    this.client = undefined;
    await this.server?.stop();
    this.server = undefined;
  }
}

/**
 * The decision id: Cerbos's call id (`cerbosCallId`, the audit log's `callId`); in a call
 * with several resources (a batch) every item shares it, so `/<index>` (position in the call,
 * the same in the log's inputs) tells them apart.
 */
export function decisionId(callId: string, index: number, count: number): string {
  return count > 1 ? `${callId}/${index}` : callId;
}

function mergePlans(a: ResolverPlan, b: ResolverPlan): ResolverPlan {
  const mergeMap = (x: Map<string, Set<string>>, y: Map<string, Set<string>>) => {
    const out = new Map<string, Set<string>>();
    for (const m of [x, y]) for (const [k, v] of m) out.set(k, new Set([...(out.get(k) ?? []), ...v]));
    return out;
  };
  const mergeLists = (x: Map<string, string[]>, y: Map<string, string[]>) => {
    const out = new Map<string, string[]>();
    for (const m of [x, y]) for (const [k, v] of m) out.set(k, [...new Set([...(out.get(k) ?? []), ...v])]);
    return out;
  };
  const relations = mergeLists(a.relations, b.relations);
  return {
    tuplesets: mergeMap(a.tuplesets, b.tuplesets),
    closures: mergeMap(a.closures, b.closures),
    paths: mergeMap(a.paths, b.paths),
    usersetTargets: new Set([...a.usersetTargets, ...b.usersetTargets]),
    permissionTargets: mergeLists(a.permissionTargets, b.permissionTargets),
    relations,
    ...(b.unfold || a.unfold ? { unfold: (b.unfold ?? a.unfold)! } : {}),
  };
}

/** Writes policies as YAML files (atomically: temp name, then rename); `fresh` removes other policy files first. */
export function writePolicyDir(dir: string, policies: Map<string, CerbosPolicyDoc>, fresh: boolean): void {
  mkdirSync(dir, { recursive: true });
  const keep = new Set(policies.keys());
  for (const file of readdirSync(dir)) {
    if (/\.ya?ml$/.test(file) && (fresh || !keep.has(file))) rmSync(path.join(dir, file), { force: true });
  }
  for (const [file, doc] of policies) {
    const tmp = path.join(dir, `.${file}.tmp`);
    writeFileSync(tmp, stringify(doc, { lineWidth: 0 }));
    renameSync(tmp, path.join(dir, file));
  }
}

interface AuditLine {
  callId?: string;
  timestamp?: string;
  checkResources?: {
    inputs?: {
      principal?: { id?: string; roles?: string[] };
      resource?: { kind?: string; id?: string; attr?: { ctx?: Record<string, unknown> } };
      actions?: string[];
    }[];
    outputs?: { resourceId?: string; actions?: Record<string, { effect?: string; policy?: string }> }[];
  };
}

/** Cerbos's file-backend decision log (one JSON object a line) -> normalised entries, one per resource and action. */
export function parseAuditLog(text: string): DecisionLogEntry[] {
  const entries: DecisionLogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let parsed: AuditLine & { log?: AuditLine };
    try {
      parsed = JSON.parse(line) as AuditLine;
    } catch {
      continue;
    }
    const record: AuditLine = parsed.checkResources ? parsed : (parsed.log ?? parsed);
    const cr = record.checkResources;
    if (!cr?.inputs) continue;
    cr.inputs.forEach((input, i) => {
      if (input.principal?.id === PROBE_ROLE) return;
      const output = cr.outputs?.[i];
      for (const action of input.actions ?? []) {
        const result = output?.actions?.[action];
        const missing: string[] = [];
        const entry: DecisionLogEntry = {
          ...(record.callId ? { decisionId: decisionId(record.callId, i, cr.inputs!.length) } : {}),
          ...(record.timestamp ? { time: record.timestamp } : {}),
          subject: `${input.principal?.roles?.[0] ?? '?'}:${input.principal?.id ?? '?'}`,
          action,
          resource: `${input.resource?.kind ?? '?'}:${input.resource?.id ?? '?'}`,
          context: input.resource?.attr?.ctx ?? {},
        };
        if (result?.effect) entry.allowed = result.effect === 'EFFECT_ALLOW';
        else missing.push('allowed');
        if (result?.policy) entry.reason = result.policy;
        else missing.push('reason');
        if (!record.callId) missing.push('decisionId');
        if (missing.length) entry.missing = missing;
        entries.push(entry);
      }
    });
  }
  return entries;
}

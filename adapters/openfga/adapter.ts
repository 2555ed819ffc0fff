// The OpenFGA adapter: one store per scenario, the neutral model written as an
// authorization model (translate.ts), relationships as tuples, checks through the official
// SDK (@openfga/sdk OpenFgaClient: check, and server-side BatchCheck with correlation ids).
// Audit: OpenFGA keeps no decision log; its JSON request log (`grpc_req_complete` lines)
// is read instead and labelled a request log (decision-log.ts).
// Configuration `store-per-tenant`: a model that declares `tenancy` gets one store per tenant
// plus a shared store, routed by tenant-stores.ts; every other scenario uses one store.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConsistencyPreference, OpenFgaClient } from '@openfga/sdk';
import type { AuthzenClient } from '../../src/authzen/client.ts';
import type { AdapterInfo, AdapterSpec, ConsistencyPromise, DecisionLogEntry, EngineDefinition, NativeSpec, RunContext } from '../../src/core/adapter.ts';
import type { ObjectRef, Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest, Decision } from '../../src/core/request.ts';
import { actionSearchByChecks, actionsByType, type SearchAnswer, type SearchQuery } from '../../src/core/search.ts';
import { GeneratedPolicy } from '../../src/engines/generated-policy.ts';
import { logSize } from '../../src/engines/log-offset.ts';
import { groupMemoryBytes, httpHealth, processMemoryBytes } from '../../src/engines/server.ts';
import type { Model } from '../../src/model/types.ts';
import { listObjectsLimits, listObjectsTruncation } from './list-limits.ts';
import { batchOverAuthzen, checkOverAuthzen, decodeSearchAnswer, encodeId, encodeRelationship, encodeSearch, storeClient } from './authzen.ts';
import { parseRequestLog } from './decision-log.ts';
import { toFgaDsl } from './import.ts';
import { DEFAULT_OPENFGA_SETTINGS, type OpenFgaServer, type OpenFgaSettings, startOpenFga } from './launcher.ts';
import { readNativeOpenFga, writeNativeModel, writeNativeTuples } from './native.ts';
import { SHARED_STORE, TenantRouter } from './tenant-stores.ts';
import { type FgaAuthorizationModel, requestParameters, toCheck, toTupleKey, toTupleKeyWithoutCondition, translateModel, unstorableObject, unsupportedReasons } from './translate.ts';

export interface OpenFgaAdapterOptions {
  /** `cache` turns the check query cache on; `store-per-tenant` gives each tenant its own store; `postgres` uses a PostgreSQL datastore. */
  configuration?: string;
  consistency?: 'MINIMIZE_LATENCY' | 'HIGHER_CONSISTENCY';
  /** Replaces the pinned binary (tests). */
  binary?: string;
}

/** OpenFGA limits (server defaults): tuples per Write, checks per BatchCheck. */
const MAX_TUPLES_PER_WRITE = 100;
const MAX_CHECKS_PER_BATCH = 50;
/** Calls to different stores (create, model, write, delete) in flight at once: stores are independent. */
const STORE_CONCURRENCY = 8;
/** OpenFGA store names: 3 to 64 of these characters (no ':'), `^[a-zA-Z0-9\s.\-/^_&@]{3,64}$`. */
const MAX_STORE_NAME = 64;
const NOT_IN_STORE_NAME = /[^a-zA-Z0-9 .\-/^_&@]/g;

/** OpenFGA's two multi-tenancy designs (README, "Tenancy: two designs"), as recorded in info().settings. */
export function tenancySetting(configuration?: string): string {
  return configuration === 'store-per-tenant' ? 'store per tenant (scenarios that declare tenancy; others one store)' : 'tenant type in one store';
}

interface StoreIds {
  storeId: string;
  authorizationModelId: string;
}

/** Store per tenant: the routing, each tenant's store, and the model a store created later receives. */
interface TenantStores {
  router: TenantRouter;
  /** Tenant store key (`tenant:acme`) → its store and model ids. */
  stores: Map<string, StoreIds>;
  model: FgaAuthorizationModel;
}

export function serverSettings(configuration?: string): OpenFgaSettings {
  return Object.freeze({
    ...DEFAULT_OPENFGA_SETTINGS,
    checkQueryCache: configuration === 'cache' || configuration === 'cache-consistent',
    datastore: configuration === 'postgres' ? 'postgres' : 'memory',
    authzen: configuration === 'authzen',
  });
}

/**
 * OpenFGA answers a check whose deciding path has a condition it cannot evaluate (missing
 * parameters; a parameter of the wrong type; a CEL error such as a missing map key) with an
 * error; a path that grants without it still grants, as for an undecided condition in the
 * neutral semantics. So it is a deny (fail closed), with OpenFGA's message as the reason.
 */
const MISSING_PARAMETERS = /missing context parameters|failed to evaluate relationship condition/;
/**
 * OpenFGA answers a check of a relation or type the model lacks (e.g. after a policy update
 * removed it) with a validation error; in AuthZEN terms that is a deny, not a failure.
 */
const NOT_IN_MODEL = /relation '[^']*' not found|type '[^']*' not found/;

/** A validation error that is, in the neutral semantics, a deny: the reason says why. */
export function denyReason(message: string): string | undefined {
  if (MISSING_PARAMETERS.test(message)) return `condition not evaluated, so denied (fail closed): ${message}`;
  if (NOT_IN_MODEL.test(message)) return `not in the model, so denied: ${message}`;
  return undefined;
}

const CONSISTENCY_DOCS = 'https://openfga.dev/docs/interacting/consistency';
/** OpenFGA's documentation on its two consistency preferences (quoted in revocation reports). */
const OPENFGA_PROMISES: Record<'MINIMIZE_LATENCY' | 'HIGHER_CONSISTENCY', ConsistencyPromise> = {
  MINIMIZE_LATENCY: {
    quote:
      'MINIMIZE_LATENCY (default): OpenFGA will serve queries from the cache when possible. If you write a tuple and you immediately make a Check on a relation affected by that tuple using MINIMIZE_LATENCY, the tuple change might not be taken in consideration if OpenFGA serves the result from the cache.',
    source: CONSISTENCY_DOCS,
  },
  HIGHER_CONSISTENCY: { quote: 'HIGHER_CONSISTENCY: OpenFGA will skip the cache and query the database directly.', source: CONSISTENCY_DOCS },
};

export class OpenFgaAdapter implements AdapterSpec {
  readonly embedded = false;
  readonly decisionLog = 'request';
  private server: OpenFgaServer | undefined;
  private client: OpenFgaClient | undefined;
  /** The scenario's store; with store per tenant, the shared store. */
  private storeId: string | undefined;
  private storeName: string | undefined;
  private modelId: string | undefined;
  /** Set only with `store-per-tenant` and a model that declares tenancy; otherwise one store. */
  private tenantStores: TenantStores | undefined;
  private requestParams: ReadonlySet<string> = new Set();
  /** Relations and permissions per type of the loaded neutral model (action search). */
  private actionsByType = new Map<string, string[]>();
  /** Configuration `authzen`: the current store's AuthZEN client; checks go through it (authzen.ts). */
  private authzen: AuthzenClient | undefined;
  /** The run (set by start): the model in OpenFGA's DSL is written beside the engine's log. */
  private context: RunContext | undefined;
  private modelFile: GeneratedPolicy | undefined;
  /** Byte offset of the server log when the current store was created. */
  private logOffset = 0;
  private settings: OpenFgaSettings;
  private consistency: 'MINIMIZE_LATENCY' | 'HIGHER_CONSISTENCY';

  constructor(
    private readonly definition: EngineDefinition,
    private readonly options: OpenFgaAdapterOptions = {},
  ) {
    this.settings = serverSettings(options.configuration);
    this.consistency = options.consistency ?? (options.configuration === 'cache-consistent' ? 'HIGHER_CONSISTENCY' : 'MINIMIZE_LATENCY');
  }

  info(): AdapterInfo {
    return {
      name: this.definition.name,
      version: this.server?.version ?? 'unknown',
      launch: this.server?.launch ?? 'local',
      settings: {
        consistency: this.consistency,
        checkQueryCache: this.settings.checkQueryCache,
        ...(this.settings.checkQueryCache ? { checkQueryCacheTtl: this.settings.checkQueryCacheTtl } : {}),
        datastore: this.server?.datastoreVersion ? `${this.settings.datastore} (${this.server.datastoreVersion}, local, default server settings)` : this.settings.datastore,
        resolveNodeLimit: this.settings.resolveNodeLimit,
        batchCheck: `server-side BatchCheck, ${MAX_CHECKS_PER_BATCH} checks per request`,
        listObjectsMaxResults: this.settings.listObjectsMaxResults,
        listObjectsDeadline: this.settings.listObjectsDeadline,
        search: 'ListObjects (an answer at the result limit or deadline is reported truncated), ListUsers; actions by BatchCheck',
        decisionLog: 'request log (grpc_req_complete, --log-format json), not a decision log',
        tenancy: tenancySetting(this.options.configuration),
        ...(this.settings.authzen
          ? { api: 'AuthZEN 1.0 (experimental): /stores/<id>/access/v1/evaluation(s), endpoints from the store metadata; consistency not settable over AuthZEN' }
          : {}),
      },
      consistency: OPENFGA_PROMISES[this.consistency],
    };
  }

  unsupported(model: Model): string[] {
    return unsupportedReasons(model);
  }

  unsupportedObject(object: ObjectRef, role: 'resource' | 'subject'): string | undefined {
    // Configuration `authzen` stores ids percent-encoded (authzen.ts): OpenFGA sees the encoded id.
    return unstorableObject(this.settings.authzen ? { ...object, id: encodeId(object.id) } : object, role);
  }

  async start(context: RunContext): Promise<void> {
    this.context = context;
    const consistency = context.options.consistency;
    if (consistency === 'MINIMIZE_LATENCY' || consistency === 'HIGHER_CONSISTENCY') this.consistency = consistency;
    this.settings = Object.freeze({ ...this.settings, ...listObjectsLimits(context.options) });
    this.server = await startOpenFga(this.definition, this.settings, { launch: context.launch, logFile: context.logFile(), ...(this.options.binary ? { binary: this.options.binary } : {}) });
    this.client = new OpenFgaClient({ apiUrl: this.server.url, ...(this.server.headers ? { baseOptions: { headers: this.server.headers } } : {}) });
  }

  /** The server's HTTP API, once started (tests look into its stores). */
  serverUrl(): string | undefined {
    return this.server?.url;
  }

  private get fga(): OpenFgaClient {
    if (!this.client) throw new Error('OpenFGA adapter: start() was not called');
    return this.client;
  }

  private requireStore(): StoreIds {
    if (!this.storeId || !this.modelId) throw new Error('OpenFGA adapter: loadModel() was not called');
    return { storeId: this.storeId, authorizationModelId: this.modelId };
  }

  /** OpenFGA's Check says allowed or not, no more: the reason names the model's definition that decided. */
  private reasonFor(request: CheckRequest, allowed: boolean): string {
    const { type } = request.resource;
    const name = request.action.name;
    let inType = false;
    const where = this.modelFile?.describe(`${type}#${name}`, `'define ${name}' of type ${type}`, (line) => {
      if (/^type /.test(line)) inType = line.trim() === `type ${type}`;
      return inType && line.trim().startsWith(`define ${name}:`);
    });
    return `OpenFGA Check: allowed ${allowed}${where ? `; ${where}` : ''}`;
  }

  async loadModel(model: Model): Promise<void> {
    this.modelFile = undefined;
    await this.newStore();
    const json = await this.writeModel(model);
    if (this.options.configuration === 'store-per-tenant' && model.tenancy) {
      this.tenantStores = { router: new TenantRouter(model.tenancy.type), stores: new Map(), model: json };
    }
  }

  /** Native mode: the scenario's own `.fga` model and tuples in a fresh store (native.ts). */
  async loadNative(native: NativeSpec): Promise<void> {
    const files = await readNativeOpenFga(native);
    this.modelFile = undefined;
    await this.newStore();
    this.modelId = await writeNativeModel(this.fga, this.storeId!, files);
    this.requestParams = files.requestParams;
    this.actionsByType = new Map();
    await writeNativeTuples(this.fga, this.requireStore(), files);
  }

  /** Deletes every store of the previous scenario (the shared one and any tenant stores) and creates a fresh one. */
  private async newStore(): Promise<void> {
    const old = this.storeId;
    const oldTenants = this.tenantStores;
    this.storeId = this.storeName = this.modelId = this.tenantStores = undefined;
    if (old) await this.fga.deleteStore({ storeId: old }).catch(() => undefined);
    if (oldTenants) await forEachLimited([...oldTenants.stores.values()], STORE_CONCURRENCY, (ids) => this.fga.deleteStore({ storeId: ids.storeId }).catch(() => undefined));
    this.logOffset = logSize(this.server?.logFile);
    const name = `authz-bench-${Date.now()}`;
    const store = await this.fga.createStore({ name });
    this.storeId = store.id;
    this.storeName = name;
    if (this.settings.authzen) {
      await this.authzen?.close();
      this.authzen = await storeClient(this.server!.url, store.id, this.server!.headers);
    }
  }

  /** A tenant's store, named after the scenario's store and the tenant (`authz-bench-<time> tenant/acme`), with the current model. */
  private async createTenantStore(tenants: TenantStores, tenant: string): Promise<void> {
    const name = `${this.storeName} ${tenant.replace(':', '/').replace(NOT_IN_STORE_NAME, '_')}`.slice(0, MAX_STORE_NAME);
    const store = await this.fga.createStore({ name });
    const response = await this.fga.writeAuthorizationModel(tenants.model as never, { storeId: store.id });
    tenants.stores.set(tenant, { storeId: store.id, authorizationModelId: response.authorization_model_id });
  }

  async updateModel(model: Model): Promise<void> {
    if (!this.storeId) throw new Error('OpenFGA adapter: loadModel() was not called');
    await this.writeModel(model);
  }

  /**
   * Writes the model to the scenario's store, and with store per tenant to every tenant store
   * (each keeps its own model id). Routing stays as loadModel set it: the stores already exist.
   */
  private async writeModel(model: Model): Promise<FgaAuthorizationModel> {
    const json = translateModel(model);
    if (!this.storeId) throw new Error('OpenFGA adapter: no store (loadModel() was not called)');
    this.modelFile = GeneratedPolicy.write(this.context, 'model.fga', toFgaDsl(model));
    const response = await this.fga.writeAuthorizationModel(json as never, { storeId: this.storeId });
    this.modelId = response.authorization_model_id;
    this.requestParams = requestParameters(model);
    this.actionsByType = actionsByType(model);
    const tenants = this.tenantStores;
    if (!tenants) return json;
    tenants.model = json;
    await forEachLimited([...tenants.stores.values()], STORE_CONCURRENCY, async (ids) => {
      ids.authorizationModelId = (await this.fga.writeAuthorizationModel(json as never, { storeId: ids.storeId })).authorization_model_id;
    });
    return json;
  }

  async write(all: Relationship[]): Promise<void> {
    await this.send(all, 'write');
  }

  async delete(all: Relationship[]): Promise<void> {
    await this.send(all, 'delete');
  }

  /** Writes or deletes relationships: to the one store, or, with store per tenant, to the stores the router names. */
  private async send(all: Relationship[], operation: 'write' | 'delete'): Promise<void> {
    const ids = this.requireStore();
    const kept = all.filter((r) => !isImplicit(r));
    const relationships = this.settings.authzen ? kept.map(encodeRelationship) : kept;
    const tenants = this.tenantStores;
    if (!tenants) return this.sendInChunks(ids, relationships, operation);
    let byStore: Map<string, Relationship[]>;
    if (operation === 'write') {
      const plan = tenants.router.planWrite(relationships);
      await forEachLimited(plan.newTenants, STORE_CONCURRENCY, (tenant) => this.createTenantStore(tenants, tenant));
      byStore = plan.byStore;
    } else byStore = tenants.router.planDelete(relationships);
    await forEachLimited([...byStore], STORE_CONCURRENCY, ([store, list]) => this.sendInChunks(this.storeIds(store), list, operation));
  }

  /** One store: Write calls of at most 100 tuples; duplicate writes and missing deletes are ignored (idempotent, as in the reference). */
  private async sendInChunks(ids: StoreIds, relationships: Relationship[], operation: 'write' | 'delete'): Promise<void> {
    for (let i = 0; i < relationships.length; i += MAX_TUPLES_PER_WRITE) {
      const chunk = relationships.slice(i, i + MAX_TUPLES_PER_WRITE);
      if (operation === 'write') {
        await this.fga.write({ writes: chunk.map(toTupleKey) as never }, { ...ids, conflict: { onDuplicateWrites: 'ignore' as never } });
      } else {
        await this.fga.write({ deletes: chunk.map(toTupleKeyWithoutCondition) }, { ...ids, conflict: { onMissingDeletes: 'ignore' as never } });
      }
    }
  }

  /** Ids of a store by its router key: the shared store is the scenario's store. */
  private storeIds(store: string): StoreIds {
    if (store === SHARED_STORE) return this.requireStore();
    const tenantStore = this.tenantStores?.stores.get(store);
    // Only when creating the tenant's store failed: never fall back to another store silently.
    if (!tenantStore) throw new Error(`OpenFGA adapter: no store for ${store} (creating it failed)`);
    return tenantStore;
  }

  /** Store per tenant: the store of the resource's tenant, or the shared store. */
  private storeFor(resource: ObjectRef): StoreIds {
    return this.storeIds(this.tenantStores!.router.storeFor(resource));
  }

  async check(request: CheckRequest): Promise<Decision> {
    if (this.authzen) return checkOverAuthzen(this.authzen, request, this.requestParams);
    const body = toCheck(request, this.requestParams);
    try {
      // Inside the try: a tenant whose store could not be created is an error decision, not a throw.
      const ids = this.tenantStores ? this.storeFor(request.resource) : this.requireStore();
      const response = await this.fga.check(body, { ...ids, consistency: this.consistencyPreference(), retryParams: { maxRetry: 0 } });
      const requestId = response.$response?.headers?.['x-request-id'];
      const allowed = response.allowed === true;
      return { allowed, reason: this.reasonFor(request, allowed), ...(typeof requestId === 'string' ? { decisionId: requestId } : {}) };
    } catch (error) {
      return errorDecision(error);
    }
  }

  async checkBatch(requests: CheckRequest[]): Promise<Decision[]> {
    if (requests.length === 0) return [];
    if (this.authzen) return batchOverAuthzen(this.authzen, requests, this.requestParams);
    if (!this.tenantStores) return this.batchCheckIn(this.requireStore(), requests);
    // Store per tenant: one BatchCheck per store, answers put back in the order asked.
    const byStore = new Map<string, number[]>();
    requests.forEach((request, i) => {
      const store = this.tenantStores!.router.storeFor(request.resource);
      const indexes = byStore.get(store);
      if (indexes) indexes.push(i);
      else byStore.set(store, [i]);
    });
    const decisions = new Array<Decision>(requests.length);
    await Promise.all(
      [...byStore].map(async ([store, indexes]) => {
        const answers = await this.batchCheckIn(
          this.storeIds(store),
          indexes.map((i) => requests[i]!),
        );
        indexes.forEach((i, k) => (decisions[i] = answers[k]!));
      }),
    );
    return decisions;
  }

  /** One server-side BatchCheck (split by the SDK past 50 checks) in one store. */
  private async batchCheckIn(ids: StoreIds, requests: CheckRequest[]): Promise<Decision[]> {
    const correlationIds = requests.map(() => randomUUID());
    const checks = requests.map((request, i) => ({ ...toCheck(request, this.requestParams), correlationId: correlationIds[i]! }));
    const response = await this.fga.batchCheck({ checks }, { ...ids, consistency: this.consistencyPreference(), maxBatchSize: MAX_CHECKS_PER_BATCH, retryParams: { maxRetry: 0 } });
    const byId = new Map(response.result.map((r) => [r.correlationId, r]));
    return correlationIds.map((id, i) => {
      const result = byId.get(id);
      if (!result) return { allowed: false, error: `BatchCheck returned no result for correlation id ${id}` };
      if (result.error) {
        const message = result.error.message ?? JSON.stringify(result.error);
        const reason = denyReason(message);
        if (reason) return { allowed: false, decisionId: id, reason };
        return { allowed: false, decisionId: id, error: `OpenFGA: ${message}` };
      }
      const allowed = result.allowed === true;
      return { allowed, decisionId: id, reason: this.reasonFor(requests[i]!, allowed) };
    });
  }

  /**
   * Resource search: ListObjects (OpenFGA stops at its result limit, 1000 by default, and its
   * deadline, 3 s: a full page is reported as possibly truncated). Subject search: ListUsers.
   * Action search: OpenFGA has none, so one BatchCheck over the type's relations and permissions.
   */
  async search(query: SearchQuery): Promise<SearchAnswer> {
    // Configuration `authzen` stores ids encoded (authzen.ts); searches stay on the native API.
    if (this.settings.authzen) return decodeSearchAnswer(query, await this.searchNatively(encodeSearch(query)));
    return this.searchNatively(query);
  }

  private async searchNatively(query: SearchQuery): Promise<SearchAnswer> {
    if (this.tenantStores && query.kind === 'resources') return { unsupported: 'search: a resource search with store per tenant would need every tenant store' };
    const options = { consistency: this.consistencyPreference(), retryParams: { maxRetry: 0 } };
    try {
      switch (query.kind) {
        case 'resources': {
          const probe = toCheck(
            { subject: query.subject, action: query.action, resource: { type: query.resourceType, id: '_' }, ...(query.context ? { context: query.context } : {}) },
            this.requestParams,
          );
          const started = performance.now();
          const answer = await this.fga.listObjects(
            { user: probe.user, relation: probe.relation, type: query.resourceType, ...(probe.context ? { context: probe.context } : {}) },
            { ...this.requireStore(), ...options },
          );
          const ids = answer.objects.map((o) => o.slice(o.indexOf(':') + 1));
          const truncated = listObjectsTruncation(this.settings, ids.length, performance.now() - started);
          return { ids, method: 'ListObjects', ...(truncated ? { truncated } : {}) };
        }
        case 'subjects': {
          const probe = toCheck(
            { subject: { type: query.subjectType, id: '_' }, action: query.action, resource: query.resource, ...(query.context ? { context: query.context } : {}) },
            this.requestParams,
          );
          const ids = this.tenantStores ? this.storeFor(query.resource) : this.requireStore();
          const answer = await this.fga.listUsers(
            { object: query.resource, relation: probe.relation, user_filters: [{ type: query.subjectType }], ...(probe.context ? { context: probe.context } : {}) },
            { ...ids, ...options },
          );
          const users = answer.users.flatMap((u) => (u.object ? [u.object.id] : u.wildcard ? ['*'] : []));
          return { ids: [...new Set(users)], method: 'ListUsers' };
        }
        case 'actions':
          return await actionSearchByChecks(
            query,
            this.actionsByType,
            (requests) => this.checkBatch(requests),
            'BatchCheck over every relation and permission of the type (OpenFGA has no action search)',
          );
      }
    } catch (error) {
      return { error: searchErrorMessage(error) };
    }
  }

  private consistencyPreference(): ConsistencyPreference {
    return this.consistency === 'HIGHER_CONSISTENCY' ? ConsistencyPreference.HigherConsistency : ConsistencyPreference.MinimizeLatency;
  }

  async readDecisionLog(): Promise<DecisionLogEntry[]> {
    const file = this.server?.logFile;
    if (!file || !this.storeId) return [];
    const text = readFileSync(file).subarray(this.logOffset).toString('utf8');
    return parseRequestLog(text, this.scenarioStoreIds());
  }

  /** Every store of the current scenario: its store, and with store per tenant each tenant's. */
  private scenarioStoreIds(): Set<string> {
    const ids = new Set<string>(this.storeId ? [this.storeId] : []);
    for (const tenant of this.tenantStores?.stores.values() ?? []) ids.add(tenant.storeId);
    return ids;
  }

  async health(): Promise<string | undefined> {
    if (!this.server) return 'not started';
    return httpHealth('OpenFGA', `${this.server.url}/healthz`, this.server.headers, (body) => {
      const status = (body as { status?: string }).status;
      return status === 'SERVING' ? undefined : `OpenFGA health status ${status}`;
    });
  }

  /** OpenFGA's resident memory, plus its datastore's processes where it has a local one (PostgreSQL). */
  async memoryBytes(): Promise<number | undefined> {
    const server = processMemoryBytes(this.server?.pid);
    if (server === undefined || !this.server?.datastorePid) return server;
    return server + groupMemoryBytes(this.server.datastorePid);
  }

  async stop(): Promise<void> {
    const server = this.server;
    await this.authzen?.close();
    this.server = this.client = this.authzen = undefined;
    this.storeId = this.storeName = this.modelId = this.tenantStores = undefined;
    await server?.stop();
  }
}

/**
 * `group:g#member@group:g#member` says nothing (anyone who is a member of g is a member of
 * g); OpenFGA refuses to store it ("cannot write a tuple that is implicit"), so it is left
 * out: the answers are the same with or without it.
 */
export function isImplicit(r: Relationship): boolean {
  return r.subject.relation === r.relation && r.subject.type === r.resource.type && r.subject.id === r.resource.id;
}

/** Runs `action` on every item, at most `limit` at a time; after a failure no new item starts. */
async function forEachLimited<T>(items: readonly T[], limit: number, action: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      try {
        await action(items[next++]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Why a search failed. ListObjects and ListUsers fail as a whole where one relationship's
 * condition cannot be evaluated (a check would deny only that path): not a deny of anything.
 */
export function searchErrorMessage(error: unknown): string {
  const e = error as { apiErrorMessage?: string; message?: string };
  const message = e.apiErrorMessage ?? e.message ?? String(error);
  if (MISSING_PARAMETERS.test(message))
    return `OpenFGA: ${message} (the search fails as a whole where a relationship's condition cannot be evaluated; give its parameters in the search's context)`;
  const decision = errorDecision(error);
  return decision.error ?? decision.reason ?? 'OpenFGA search failed';
}

function errorDecision(error: unknown): Decision {
  const e = error as { apiErrorMessage?: string; message?: string; responseHeader?: Record<string, unknown> };
  const message = e.apiErrorMessage ?? e.message ?? String(error);
  const requestId = e.responseHeader?.['x-request-id'];
  const decisionId = typeof requestId === 'string' ? { decisionId: requestId } : {};
  const reason = denyReason(message);
  if (reason) return { allowed: false, ...decisionId, reason };
  return { allowed: false, ...decisionId, error: `OpenFGA: ${message}` };
}

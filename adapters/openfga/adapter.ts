// The OpenFGA adapter: one store per scenario, the neutral model written as an
// authorization model (translate.ts), relationships as tuples, checks through the official
// SDK (@openfga/sdk OpenFgaClient: check, and server-side BatchCheck with correlation ids).
// Audit: OpenFGA keeps no decision log; its JSON request log (`grpc_req_complete` lines)
// is read instead and labelled a request log (decision-log.ts).

import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ConsistencyPreference, OpenFgaClient } from '@openfga/sdk';
import type { Capabilities, DecisionLogEntry, EngineAdapter, EngineInfo, NativeSpec, RunContext } from '../../src/core/adapter.ts';
import type { Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest, Decision } from '../../src/core/request.ts';
import { httpHealth, processMemoryBytes, type StartedServer } from '../../src/engines/server.ts';
import { ALL_MODEL_FEATURES, type Model } from '../../src/model/types.ts';
import { parseRequestLog } from './decision-log.ts';
import { readNativeOpenFga, writeNativeModel, writeNativeTuples } from './native.ts';
import { requestParameters, toCheck, toTupleKey, toTupleKeyWithoutCondition, translateModel, unsupportedReasons } from './translate.ts';

/** A running OpenFGA server, however it was obtained. */
export interface OpenFgaServer extends StartedServer {
  /** The server's JSON log (`--log-format json`); absent when the server is not ours (url launch). */
  logFile?: string;
}

/** Server flags that change answers or timing; the launcher must start OpenFGA with exactly these. */
export interface OpenFgaServerSettings {
  checkQueryCache: boolean;
  /** Go duration, e.g. `10s`. */
  checkQueryCacheTtl: string;
  datastore: 'memory';
  /** OpenFGA's resolution depth limit (`--resolve-node-limit`). */
  resolveNodeLimit: number;
  logFormat: 'json';
}

export type OpenFgaLauncher = (options: { settings: OpenFgaServerSettings; context: RunContext }) => Promise<OpenFgaServer>;

export interface OpenFgaAdapterOptions {
  launcher: OpenFgaLauncher;
  /** `cache` turns the check query cache on. */
  configuration?: string;
  consistency?: 'MINIMIZE_LATENCY' | 'HIGHER_CONSISTENCY';
}

export const OPENFGA_CAPABILITIES: Capabilities = {
  features: ALL_MODEL_FEATURES,
  batchCheck: true,
  decisionLog: 'request',
  policyUpdate: true,
  embedded: false,
};

/** OpenFGA limits (server defaults): tuples per Write, checks per BatchCheck. */
const MAX_TUPLES_PER_WRITE = 100;
const MAX_CHECKS_PER_BATCH = 50;

export function serverSettings(configuration?: string): OpenFgaServerSettings {
  return {
    checkQueryCache: configuration === 'cache',
    checkQueryCacheTtl: '10s',
    datastore: 'memory',
    resolveNodeLimit: 50,
    logFormat: 'json',
  };
}

/** OpenFGA answers a check whose conditions lack parameters with a validation error: that is a deny (fail closed). */
const MISSING_PARAMETERS = /missing context parameters/;
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

export class OpenFgaAdapter implements EngineAdapter {
  readonly capabilities = OPENFGA_CAPABILITIES;
  private server?: OpenFgaServer;
  private client?: OpenFgaClient;
  private storeId?: string;
  private modelId?: string;
  private requestParams: ReadonlySet<string> = new Set();
  /** Byte offset of the server log when the current store was created. */
  private logOffset = 0;
  private readonly settings: OpenFgaServerSettings;
  private consistency: 'MINIMIZE_LATENCY' | 'HIGHER_CONSISTENCY';

  constructor(private readonly options: OpenFgaAdapterOptions) {
    this.settings = serverSettings(options.configuration);
    this.consistency = options.consistency ?? 'MINIMIZE_LATENCY';
  }

  info(): EngineInfo {
    return {
      id: this.options.configuration ? `openfga[${this.options.configuration}]` : 'openfga',
      name: 'OpenFGA',
      version: this.server?.version ?? 'unknown',
      launch: this.server?.launch ?? 'local',
      settings: {
        consistency: this.consistency,
        checkQueryCache: this.settings.checkQueryCache,
        ...(this.settings.checkQueryCache ? { checkQueryCacheTtl: this.settings.checkQueryCacheTtl } : {}),
        datastore: this.settings.datastore,
        resolveNodeLimit: this.settings.resolveNodeLimit,
        batchCheck: `server-side BatchCheck, ${MAX_CHECKS_PER_BATCH} checks per request`,
        decisionLog: 'request log (grpc_req_complete, --log-format json), not a decision log',
      },
    };
  }

  unsupported(model: Model): string[] {
    return unsupportedReasons(model);
  }

  async start(context: RunContext): Promise<void> {
    const consistency = context.options.consistency;
    if (consistency === 'MINIMIZE_LATENCY' || consistency === 'HIGHER_CONSISTENCY') this.consistency = consistency;
    this.server = await this.options.launcher({ settings: this.settings, context });
    this.client = new OpenFgaClient({ apiUrl: this.server.url, ...(this.server.headers ? { baseOptions: { headers: this.server.headers } } : {}) });
  }

  private get fga(): OpenFgaClient {
    if (!this.client) throw new Error('OpenFGA adapter: start() was not called');
    return this.client;
  }

  private requireStore(): { storeId: string; authorizationModelId: string } {
    if (!this.storeId || !this.modelId) throw new Error('OpenFGA adapter: loadModel() was not called');
    return { storeId: this.storeId, authorizationModelId: this.modelId };
  }

  async loadModel(model: Model): Promise<void> {
    await this.newStore();
    await this.writeModel(model);
  }

  /** Native mode: the scenario's own `.fga` model and tuples in a fresh store (native.ts). */
  async loadNative(native: NativeSpec): Promise<void> {
    const files = await readNativeOpenFga(native);
    await this.newStore();
    this.modelId = await writeNativeModel(this.fga, this.storeId!, files);
    this.requestParams = files.requestParams;
    await writeNativeTuples(this.fga, this.requireStore(), files);
  }

  private async newStore(): Promise<void> {
    const old = this.storeId;
    this.storeId = this.modelId = undefined;
    if (old) await this.fga.deleteStore({ storeId: old }).catch(() => undefined);
    this.logOffset = this.logSize();
    const store = await this.fga.createStore({ name: `authz-bench-${Date.now()}` });
    this.storeId = store.id;
  }

  async updateModel(model: Model): Promise<void> {
    if (!this.storeId) throw new Error('OpenFGA adapter: loadModel() was not called');
    await this.writeModel(model);
  }

  private async writeModel(model: Model): Promise<void> {
    const response = await this.fga.writeAuthorizationModel(translateModel(model) as never, { storeId: this.storeId });
    this.modelId = response.authorization_model_id;
    this.requestParams = requestParameters(model);
  }

  async write(all: Relationship[]): Promise<void> {
    const ids = this.requireStore();
    const relationships = all.filter((r) => !isImplicit(r));
    for (let i = 0; i < relationships.length; i += MAX_TUPLES_PER_WRITE) {
      const writes = relationships.slice(i, i + MAX_TUPLES_PER_WRITE).map(toTupleKey);
      await this.fga.write({ writes: writes as never }, { ...ids, conflict: { onDuplicateWrites: 'ignore' as never } });
    }
  }

  async delete(all: Relationship[]): Promise<void> {
    const ids = this.requireStore();
    const relationships = all.filter((r) => !isImplicit(r));
    for (let i = 0; i < relationships.length; i += MAX_TUPLES_PER_WRITE) {
      const deletes = relationships.slice(i, i + MAX_TUPLES_PER_WRITE).map(toTupleKeyWithoutCondition);
      await this.fga.write({ deletes }, { ...ids, conflict: { onMissingDeletes: 'ignore' as never } });
    }
  }

  async check(request: CheckRequest): Promise<Decision> {
    const ids = this.requireStore();
    const body = toCheck(request, this.requestParams);
    try {
      const response = await this.fga.check(body, { ...ids, consistency: this.consistencyPreference(), retryParams: { maxRetry: 0 } });
      const requestId = response.$response?.headers?.['x-request-id'];
      return { allowed: response.allowed === true, ...(typeof requestId === 'string' ? { decisionId: requestId } : {}) };
    } catch (error) {
      return errorDecision(error);
    }
  }

  async checkBatch(requests: CheckRequest[]): Promise<Decision[]> {
    if (requests.length === 0) return [];
    const ids = this.requireStore();
    const correlationIds = requests.map(() => randomUUID());
    const checks = requests.map((request, i) => ({ ...toCheck(request, this.requestParams), correlationId: correlationIds[i]! }));
    const response = await this.fga.batchCheck(
      { checks },
      { ...ids, consistency: this.consistencyPreference(), maxBatchSize: MAX_CHECKS_PER_BATCH, retryParams: { maxRetry: 0 } },
    );
    const byId = new Map(response.result.map((r) => [r.correlationId, r]));
    return correlationIds.map((id) => {
      const result = byId.get(id);
      if (!result) return { allowed: false, error: `BatchCheck returned no result for correlation id ${id}` };
      if (result.error) {
        const message = result.error.message ?? JSON.stringify(result.error);
        const reason = denyReason(message);
        if (reason) return { allowed: false, decisionId: id, reason };
        return { allowed: false, decisionId: id, error: `OpenFGA: ${message}` };
      }
      return { allowed: result.allowed === true, decisionId: id };
    });
  }

  private consistencyPreference(): ConsistencyPreference {
    return this.consistency === 'HIGHER_CONSISTENCY' ? ConsistencyPreference.HigherConsistency : ConsistencyPreference.MinimizeLatency;
  }

  async readDecisionLog(): Promise<DecisionLogEntry[]> {
    const file = this.server?.logFile;
    if (!file || !this.storeId) return [];
    const text = readFileSync(file).subarray(this.logOffset).toString('utf8');
    return parseRequestLog(text, this.storeId);
  }

  private logSize(): number {
    const file = this.server?.logFile;
    if (!file) return 0;
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  }

  async health(): Promise<string | undefined> {
    if (!this.server) return 'not started';
    return httpHealth('OpenFGA', `${this.server.url}/healthz`, this.server.headers, (body) => {
      const status = (body as { status?: string }).status;
      return status === 'SERVING' ? undefined : `OpenFGA health status ${status}`;
    });
  }

  async memoryBytes(): Promise<number | undefined> {
    return processMemoryBytes(this.server?.pid);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = this.client = undefined;
    this.storeId = this.modelId = undefined;
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

function errorDecision(error: unknown): Decision {
  const e = error as { apiErrorMessage?: string; message?: string; responseHeader?: Record<string, unknown> };
  const message = e.apiErrorMessage ?? e.message ?? String(error);
  const requestId = e.responseHeader?.['x-request-id'];
  const decisionId = typeof requestId === 'string' ? { decisionId: requestId } : {};
  const reason = denyReason(message);
  if (reason) return { allowed: false, ...decisionId, reason };
  return { allowed: false, ...decisionId, error: `OpenFGA: ${message}` };
}

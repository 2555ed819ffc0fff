// The Cedar adapter: cedar-wasm 4.13.0 (Cedar compiled to WebAssembly) in this process.
// loadModel translates the neutral model to a Cedar schema and policies (translate.ts) and
// preparses the policies once; relationships stay in the adapter's entity store (entities.ts),
// which builds each request's entity slice; a check is one `statefulIsAuthorized` call with the
// preparsed policy set. Cedar names the policies that determined the decision: they are the
// decision's reason. See README.md (also for the Node flag finding).

import type { AuthorizationAnswer } from '@cedar-policy/cedar-wasm/nodejs';
import type { AdapterInfo, AdapterSpec, ClientSideCost, NativeSpec, RunContext } from '../../src/core/adapter.ts';
import { InputError } from '../../src/core/errors.ts';
import { relationshipKey, type Relationship } from '../../src/core/relationship.ts';
import { describeRequest, type CheckRequest, type Decision } from '../../src/core/request.ts';
import { actionsByType, type SearchAnswer, type SearchQuery, searchByChecks } from '../../src/core/search.ts';
import type { Model } from '../../src/model/types.ts';
import { EntityStore, SliceBuilder, type CedarEntity, type EntityMode } from './entities.ts';
import { grantPolicies, requestContext } from './grants.ts';
import { loadNativeCedar, type NativeCedar } from './native.ts';
import { translateModel, unsupportedReasons, type CedarTranslation } from './translate.ts';
import { PolicySets } from './policy-sets.ts';
import { callCedar, cedarWasm } from './wasm.ts';

export const ENTITY_MODES: readonly EntityMode[] = ['slice', 'all'];

interface CedarPin {
  name: string;
  version: string;
}

interface CedarAdapterOptions {
  /** `slice` (default): each request gets the entities it needs; `all`: every entity, the naive way. */
  entities?: EntityMode;
}

let instances = 0;

export class CedarAdapter implements AdapterSpec {
  readonly embedded = true;

  private readonly store = new EntityStore();
  private translation: CedarTranslation | undefined;
  private slices: SliceBuilder | undefined;
  private native: NativeCedar | undefined;
  /** The model's policies and the conditional relationships' grant policies, preparsed per principal. */
  private readonly policySets = new PolicySets(`authz-bench-${++instances}`);
  private entityMode: EntityMode;
  private cost = { count: 0, totalMs: 0 };
  /** Relations and permissions per type of the loaded neutral model (action search); undefined in native mode. */
  private actionsByType: Map<string, string[]> | undefined;
  /** The last generated schema, for debugging and tests. */
  schema = '';

  constructor(
    private readonly pin: CedarPin,
    options: CedarAdapterOptions = {},
  ) {
    this.entityMode = options.entities ?? 'slice';
  }

  info(): AdapterInfo {
    return {
      name: this.pin.name,
      version: this.version(),
      launch: 'embedded',
      settings: {
        library: `@cedar-policy/cedar-wasm ${this.pin.version} (Cedar on WebAssembly, in process)`,
        policies: "preparsed once per model (statefulIsAuthorized); a conditional relationship is a policy, preparsed with its principal's set",
        entities:
          this.entityMode === 'slice' ? 'slice: per request, built from the adapter index (time reported apart as client-side cost)' : 'all: every entity on every request (the naive way)',
      },
    };
  }

  private version(): string {
    try {
      return cedarWasm().getCedarVersion();
    } catch {
      return this.pin.version;
    }
  }

  unsupported(model: Model): string[] {
    return unsupportedReasons(model);
  }

  async start(context: RunContext): Promise<void> {
    // The registry checks `--set entities=` against the values index.ts declares; this guards direct use.
    const requested = context.options.entities;
    if (requested !== undefined) {
      if (!ENTITY_MODES.includes(requested as EntityMode))
        throw new InputError('--set', `entities=${requested}`, 'unknown entity mode', `use ${ENTITY_MODES.map((m) => `entities=${m}`).join(' or ')}`);
      this.entityMode = requested as EntityMode;
    }
  }

  async loadModel(model: Model): Promise<void> {
    this.store.clear();
    this.policySets.clearGrants();
    this.install(model);
  }

  /** Replaces the policies and keeps the relationships (the grants are rewritten for the new model). */
  async updateModel(model: Model): Promise<void> {
    this.install(model);
  }

  private install(model: Model): void {
    const translation = translateModel(model);
    this.translation = translation;
    this.actionsByType = actionsByType(model);
    this.slices = new SliceBuilder(this.store, translation);
    this.native = undefined;
    this.schema = translation.schema;
    this.policySets.setBase(translation.policies);
    this.policySets.clearGrants();
    for (const rel of this.store.conditional.values()) this.updateGrant(rel);
    // Parse errors surface here, not at the first check.
    this.policySets.setFor('', '');
  }

  /** Native mode: the scenario's own Cedar policies and entities (native.ts). */
  async loadNative(native: NativeSpec): Promise<void> {
    const loaded = await loadNativeCedar(native);
    this.store.clear();
    this.policySets.clearGrants();
    this.translation = undefined;
    this.actionsByType = undefined;
    this.slices = undefined;
    this.native = loaded;
    this.schema = loaded.schema ?? '';
    this.policySets.setBase(new Map(Object.entries(loaded.policies)));
    this.policySets.setFor('', '');
  }

  /** Every policy in force: the model's (or native) and every grant's, for debugging and tests. */
  get policies(): Map<string, string> {
    return this.policySets.all();
  }

  async write(relationships: Relationship[]): Promise<void> {
    if (this.native) throw new Error('cedar native mode: the entities come from the native entities file; relationship writes are not mapped to them');
    for (const rel of relationships) {
      this.store.write(rel);
      this.updateGrant(rel);
    }
  }

  async delete(relationships: Relationship[]): Promise<void> {
    if (this.native) throw new Error('cedar native mode: the entities come from the native entities file; relationship deletes are not mapped to them');
    for (const rel of relationships) {
      this.store.delete(rel);
      this.updateGrant(rel);
    }
  }

  /** A write or delete of a conditional relationship changes its subject's policy set (preparsed before that subject's next check). */
  private updateGrant(rel: Relationship): void {
    const k = relationshipKey(rel);
    const current = this.store.conditional.get(k);
    const subject = `${rel.subject.type}:${rel.subject.id}`;
    this.policySets.setGrant(k, subject, current && this.translation ? grantPolicies(current, this.translation) : undefined);
  }

  async check(request: CheckRequest): Promise<Decision> {
    return this.decide(request, false);
  }

  /** `withoutWildcard`: the subject's type wildcard grants it nothing (neither the `Wildcard` parent nor the `type:*` grants). */
  private decide(request: CheckRequest, withoutWildcard: boolean): Decision {
    const notes: string[] = [];
    const started = performance.now();
    let entities: CedarEntity[];
    let context: Record<string, unknown>;
    let principal: { type: string; id: string };
    let resource: { type: string; id: string };
    if (this.native) {
      entities = this.native.entities;
      context = (request.context ?? {}) as Record<string, unknown>;
      principal = { type: request.subject.type, id: request.subject.id };
      resource = { type: request.resource.type, id: request.resource.id };
    } else {
      const translation = this.translation;
      if (!translation || !this.slices) return { allowed: false, error: 'cedar: no model loaded' };
      entities = this.slices.build({ principal: request.subject, action: request.action.name, resource: request.resource }, this.entityMode, withoutWildcard);
      context = requestContext(request, translation, notes);
      principal = { type: translation.names.object(request.subject.type), id: request.subject.id };
      resource = { type: translation.names.object(request.resource.type), id: request.resource.id };
      notes.push(...this.policySets.problemsFor(request.subject.type, request.subject.id));
    }
    this.cost.count++;
    this.cost.totalMs += performance.now() - started;
    let answer: AuthorizationAnswer;
    let policySetId: string;
    try {
      policySetId = this.policySets.setFor(this.native ? '' : request.subject.type, this.native ? '' : request.subject.id, withoutWildcard);
    } catch (error) {
      return { allowed: false, error: (error as Error).message };
    }
    try {
      answer = callCedar((cedar) =>
        cedar.statefulIsAuthorized({
          principal,
          action: { type: 'Action', id: request.action.name },
          resource,
          context: context as never,
          preparsedPolicySetId: policySetId,
          entities: entities as never,
          validateRequest: false,
        }),
      );
    } catch (error) {
      return { allowed: false, error: `cedar: ${(error as Error).message}` };
    }
    return decisionOf(answer, request, notes);
  }

  async checkBatch(requests: CheckRequest[]): Promise<Decision[]> {
    return requests.map((request) => this.decide(request, false));
  }

  /** Cedar has no search: by checks over the objects the relationships name (src/core/search.ts). */
  async search(query: SearchQuery): Promise<SearchAnswer> {
    return searchByChecks(query, {
      engine: 'Cedar',
      actions: this.actionsByType,
      relationships: () => this.store.relationships(),
      checkBatch: (requests) => this.checkBatch(requests),
      checkBatchByName: async (requests) => requests.map((request) => this.decide(request, true)),
      clientMs: () => this.cost.totalMs,
    });
  }

  async health(): Promise<string | undefined> {
    return this.translation || this.native ? undefined : 'no model loaded';
  }

  clientSideCost(): ClientSideCost {
    return { label: `entity ${this.entityMode === 'slice' ? 'slice' : 'list (all)'} building and context conversion`, count: this.cost.count, totalMs: this.cost.totalMs };
  }

  resetClientSideCost(): void {
    this.cost = { count: 0, totalMs: 0 };
  }

  async memoryBytes(): Promise<number | undefined> {
    return process.memoryUsage().rss;
  }

  async stop(): Promise<void> {
    this.store.clear();
    this.policySets.clearGrants();
    this.translation = undefined;
    this.slices = undefined;
    this.native = undefined;
  }
}

/** Cedar's answer as a decision: the determining policies (or why none) and Cedar's errors are the reason. */
function decisionOf(answer: AuthorizationAnswer, request: CheckRequest, notes: string[]): Decision {
  if (answer.type === 'failure') return { allowed: false, error: `cedar: ${answer.errors.map((e) => e.message).join('; ')}` };
  const { decision, diagnostics } = answer.response;
  const allowed = decision === 'allow';
  const parts = [allowed ? `cedar: allow, determined by ${diagnostics.reason.map((id) => `'${id}'`).join(', ')}` : `cedar: deny, no permit policy satisfied for ${describeRequest(request)}`];
  if (diagnostics.errors.length > 0) parts.push(`policy errors: ${diagnostics.errors.map((e) => `'${e.policyId}': ${e.error.message}`).join('; ')}`);
  if (notes.length > 0) parts.push([...new Set(notes)].join('; '));
  return { allowed, reason: parts.join('; ') };
}

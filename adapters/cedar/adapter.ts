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
import type { Model } from '../../src/model/types.ts';
import { EntityStore, SliceBuilder, type CedarEntity, type EntityMode } from './entities.ts';
import { grantPolicies, requestContext, type GrantPolicies } from './grants.ts';
import { loadNativeCedar, type NativeCedar } from './native.ts';
import { translateModel, unsupportedReasons, type CedarTranslation } from './translate.ts';
import { callCedar, cedarWasm, generation } from './wasm.ts';

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
  /** Conditional relationships' policies, by relationship key. */
  private readonly grants = new Map<string, GrantPolicies>();
  /** The policy set to preparse before the next check (a model or grant changed). */
  private stale = true;
  /** The cedar-wasm instance the policy set was preparsed in (wasm.ts replaces a trapped one). */
  private preparsedIn = -1;
  private readonly policySetId = `authz-bench-${++instances}`;
  private entityMode: EntityMode;
  private cost = { count: 0, totalMs: 0 };
  /** The last generated schema and policies, for debugging and tests. */
  schema = '';
  policies = new Map<string, string>();

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
        policies: 'preparsed once per model (statefulIsAuthorized); one policy per conditional relationship',
        entities: this.entityMode === 'slice' ? 'slice: per request, built from the adapter index (time reported apart as client-side cost)' : 'all: every entity on every request (the naive way)',
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
      if (!ENTITY_MODES.includes(requested as EntityMode)) throw new InputError('--set', `entities=${requested}`, 'unknown entity mode', `use ${ENTITY_MODES.map((m) => `entities=${m}`).join(' or ')}`);
      this.entityMode = requested as EntityMode;
    }
  }

  async loadModel(model: Model): Promise<void> {
    this.store.clear();
    this.grants.clear();
    this.install(model);
  }

  /** Replaces the policies and keeps the relationships (the grants are rewritten for the new model). */
  async updateModel(model: Model): Promise<void> {
    this.install(model);
  }

  private install(model: Model): void {
    const translation = translateModel(model);
    this.translation = translation;
    this.slices = new SliceBuilder(this.store, translation);
    this.native = undefined;
    this.schema = translation.schema;
    this.grants.clear();
    for (const [k, rel] of this.store.conditional) this.grants.set(k, grantPolicies(rel, translation));
    this.stale = true;
    this.preparse();
  }

  /** Native mode: the scenario's own Cedar policies and entities (native.ts). */
  async loadNative(native: NativeSpec): Promise<void> {
    const loaded = await loadNativeCedar(native);
    this.store.clear();
    this.grants.clear();
    this.translation = undefined;
    this.slices = undefined;
    this.native = loaded;
    this.schema = loaded.schema ?? '';
    this.policies = new Map(Object.entries(loaded.policies));
    this.stale = true;
    this.preparse();
  }

  /** Preparses the policy set when it changed, or when the cedar-wasm instance was replaced. */
  private preparse(): void {
    if (!this.stale && this.preparsedIn === generation()) return;
    const translation = this.translation;
    let policies: Map<string, string>;
    if (this.native) policies = new Map(Object.entries(this.native.policies));
    else if (translation) {
      policies = new Map(translation.policies);
      for (const grant of this.grants.values()) for (const [id, text] of grant.policies) policies.set(id, text);
    } else return;
    const answer = callCedar((cedar) => cedar.preparsePolicySet(this.policySetId, { staticPolicies: Object.fromEntries(policies) }));
    if (answer.type === 'failure') throw new Error(`cedar rejected the policies: ${answer.errors.map((e) => e.message).join('; ')}`);
    this.policies = policies;
    this.stale = false;
    this.preparsedIn = generation();
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

  /** A write or delete of a conditional relationship changes the policy set (preparsed again before the next check). */
  private updateGrant(rel: Relationship): void {
    const k = relationshipKey(rel);
    const current = this.store.conditional.get(k);
    if (this.grants.has(k) || current) this.stale = true;
    if (current && this.translation) this.grants.set(k, grantPolicies(current, this.translation));
    else this.grants.delete(k);
  }

  async check(request: CheckRequest): Promise<Decision> {
    const notes: string[] = [];
    const started = performance.now();
    let entities: CedarEntity[];
    let context: Record<string, unknown>;
    let principal: { type: string; id: string };
    let resource: { type: string; id: string };
    try {
      this.preparse();
    } catch (error) {
      return { allowed: false, error: (error as Error).message };
    }
    if (this.native) {
      entities = this.native.entities;
      context = (request.context ?? {}) as Record<string, unknown>;
      principal = { type: request.subject.type, id: request.subject.id };
      resource = { type: request.resource.type, id: request.resource.id };
    } else {
      const translation = this.translation;
      if (!translation || !this.slices) return { allowed: false, error: 'cedar: no model loaded' };
      entities = this.slices.build({ principal: request.subject, action: request.action.name, resource: request.resource }, this.entityMode);
      context = requestContext(request, translation, notes);
      principal = { type: translation.names.object(request.subject.type), id: request.subject.id };
      resource = { type: translation.names.object(request.resource.type), id: request.resource.id };
      for (const [k, grant] of this.grants) if (grant.problem && k.endsWith(`@${request.subject.type}:${request.subject.id}`)) notes.push(grant.problem);
    }
    this.cost.count++;
    this.cost.totalMs += performance.now() - started;
    let answer: AuthorizationAnswer;
    try {
      answer = callCedar((cedar) =>
        cedar.statefulIsAuthorized({
        principal,
        action: { type: 'Action', id: request.action.name },
        resource,
        context: context as never,
        preparsedPolicySetId: this.policySetId,
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
    const decisions: Decision[] = [];
    for (const request of requests) decisions.push(await this.check(request));
    return decisions;
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
    this.grants.clear();
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

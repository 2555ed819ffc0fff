// The Oso adapter: the open-source, embedded oso library (Polar on WebAssembly) in this
// process. loadModel translates the neutral model to Polar and loads it into a fresh Oso
// instance; relationships live in a host-side store that Polar queries through the
// registered classes (facts.ts). A check is `allow(actor, action, resource)`.

import { Oso } from 'oso';
import type { AdapterInfo, AdapterSpec, NativeSpec, RunContext } from '../../src/core/adapter.ts';
import type { Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest, Decision } from '../../src/core/request.ts';
import { describeRequest } from '../../src/core/request.ts';
import { GeneratedPolicy } from '../../src/engines/generated-policy.ts';
import { actionsByType, type SearchAnswer, type SearchQuery, searchByChecks } from '../../src/core/search.ts';
import type { Model } from '../../src/model/types.ts';
import { Cel, DEFAULT_MAX_DEPTH, DepthLimitError, makeClass, RelationshipStore, World } from './facts.ts';
import type { CheckState } from './facts.ts';
import { loadNativeOso } from './native.ts';
import { polarClassName, translateModel, unsupportedReasons } from './translate.ts';

export interface OsoAdapterOptions {
  maxDepth?: number;
}

interface OsoPin {
  name: string;
  version: string;
}

export class OsoAdapter implements AdapterSpec {
  readonly embedded = true;

  private readonly store = new RelationshipStore();
  private world: World;
  private oso: Oso | undefined;
  /** The last generated policy, for debugging and tests. */
  policy = '';
  /** The run (set by start): the generated Polar is written beside the engine's log. */
  private context: RunContext | undefined;
  /** The generated Polar as a file, for reasons; none in native mode (the scenario's own file). */
  private policyFile: GeneratedPolicy | undefined;
  /** Relations and permissions per type of the loaded neutral model (action search); undefined in native mode. */
  private actionsByType: Map<string, string[]> | undefined;

  constructor(
    private readonly pin: OsoPin,
    options: OsoAdapterOptions = {},
  ) {
    this.world = new World(this.store, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  }

  info(): AdapterInfo {
    return {
      name: 'Oso (open-source library, Polar)',
      version: this.pin.version,
      launch: 'embedded',
      settings: {
        library: `oso ${this.pin.version} (open-source, embedded, deprecated upstream)`,
        note: 'Oso Cloud, the current product, is a hosted service and cannot run offline',
        facts: 'host relationship store queried from Polar through registered classes',
        maxDepth: this.world.maxDepth,
      },
    };
  }

  unsupported(model: Model): string[] {
    return unsupportedReasons(model);
  }

  async start(context: RunContext): Promise<void> {
    this.context = context;
  }

  async loadModel(model: Model): Promise<void> {
    this.store.clear();
    await this.install(model);
  }

  /** Native mode: the scenario's own Polar and facts (native.ts); earlier relationships are gone. */
  async loadNative(native: NativeSpec): Promise<void> {
    const loaded = await loadNativeOso(native);
    const world = new World(this.store, this.world.maxDepth);
    world.classes = loaded.classes;
    this.store.clear();
    for (const rel of loaded.relationships) this.store.write(rel);
    const previous = this.oso;
    this.oso = loaded.oso;
    this.world = world;
    this.policy = loaded.polar;
    this.policyFile = undefined;
    this.actionsByType = undefined;
    previous?.free();
  }

  /** Reloads the Polar for a new model (a fresh Oso instance); the relationships stay. */
  async updateModel(model: Model): Promise<void> {
    await this.install(model);
  }

  private async install(model: Model): Promise<void> {
    const translation = translateModel(model);
    const oso = new Oso();
    const classes = new Map<string, ReturnType<typeof makeClass>>();
    for (const [type, className] of translation.classNames) {
      const cls = makeClass(className);
      classes.set(type, cls);
      oso.registerClass(cls, { name: className });
    }
    oso.registerClass(Cel, { name: 'Cel' });
    await oso.loadStr(translation.polar, 'authzbench.polar');
    const world = new World(this.store, this.world.maxDepth);
    world.classes = classes;
    world.model = model;
    world.usedParameters = translation.usedParameters;
    const previous = this.oso;
    this.oso = oso;
    this.world = world;
    this.policy = translation.polar;
    this.actionsByType = actionsByType(model);
    this.policyFile = GeneratedPolicy.write(this.context, 'authzbench.polar', translation.polar);
    previous?.free();
  }

  async write(relationships: Relationship[]): Promise<void> {
    for (const rel of relationships) this.store.write(rel);
  }

  async delete(relationships: Relationship[]): Promise<void> {
    for (const rel of relationships) this.store.delete(rel);
  }

  async check(request: CheckRequest): Promise<Decision> {
    return this.decide(request, false);
  }

  /** `withoutWildcard`: the subject's type wildcard grants it nothing (its facts are left out, facts.ts). */
  private async decide(request: CheckRequest, withoutWildcard: boolean): Promise<Decision> {
    const oso = this.oso;
    if (!oso) return { allowed: false, error: 'oso: no model loaded' };
    const state: CheckState = { request, notes: [], withoutWildcard };
    const actor = this.world.instance(request.subject.type, request.subject.id, state);
    const resource = this.world.instance(request.resource.type, request.resource.id);
    try {
      const allowed = await oso.queryRuleOnce('allow', actor, request.action.name, resource);
      const notes = state.notes.length ? `; ${[...new Set(state.notes)].join('; ')}` : '';
      const where = this.policyFile ? `; ${this.rulesOf(request)}` : '';
      return {
        allowed,
        reason: allowed ? `oso: allow(${describeRequest(request)}) succeeded${notes}${where}` : `oso: no allow rule matched for ${describeRequest(request)}${notes}${where}`,
      };
    } catch (error) {
      const message = errorMessage(error);
      return { allowed: false, error: `oso: ${message}` };
    }
  }

  /** The generated Polar rules of the checked relation or permission (translate.ts writes one head per rule). */
  private rulesOf(request: CheckRequest): string {
    const { type } = request.resource;
    const name = JSON.stringify(request.action.name);
    const className = polarClassName(type);
    return this.policyFile!.describe(
      `${type}#${request.action.name}`,
      `the rules of ${type}#${request.action.name}`,
      (line) => (line.startsWith('has_relation(') || line.startsWith('grants_permission(')) && line.includes(`, ${name}, obj: ${className},`),
    );
  }

  /**
   * By checks (src/core/search.ts): `allow(actor, action, resource)` for every object of the
   * type the relationships name. Not Polar's own enumeration: `queryRule('allow', actor, action,
   * Variable)` stops at the first host method on the unbound resource ("cannot call method on
   * unbound variable"), and data filtering needs fields and relations, not the host methods
   * this policy reads facts through (README, Search).
   */
  async search(query: SearchQuery): Promise<SearchAnswer> {
    return searchByChecks(query, {
      engine: 'Oso',
      actions: this.actionsByType,
      relationships: () => this.store.relationships(),
      checkBatch: (requests) => this.checksUntilError(requests, false),
      checkBatchByName: (requests) => this.checksUntilError(requests, true),
    });
  }

  /** One check after another, stopping at the first error (past the deadline every check fails): a search is that error. */
  private async checksUntilError(requests: CheckRequest[], withoutWildcard: boolean): Promise<Decision[]> {
    const decisions: Decision[] = [];
    for (const request of requests) {
      const decision = await this.decide(request, withoutWildcard);
      decisions.push(decision);
      if (decision.error) break;
    }
    return decisions;
  }

  async health(): Promise<string | undefined> {
    return this.oso ? undefined : 'no model loaded';
  }

  async memoryBytes(): Promise<number | undefined> {
    return process.memoryUsage().rss;
  }

  async stop(): Promise<void> {
    this.oso?.free();
    this.oso = undefined;
    this.store.clear();
  }
}

/** The useful line of an Oso error (Polar errors carry a long trace). */
function errorMessage(error: unknown): string {
  if (error instanceof DepthLimitError) return error.message;
  const text = error instanceof Error ? error.message : String(error);
  const depth = /depth limit \d+ exceeded[^\n]*/.exec(text);
  if (depth) return depth[0];
  const application = /Application error: ([^\n]*)/.exec(text);
  if (application) return application[1]!.replace(/ at line \d+, column \d+:?$/, '');
  return text.split('\n')[0] ?? text;
}

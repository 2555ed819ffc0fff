// The reference engine: the neutral model evaluated directly in-process. It is the
// oracle every other engine is compared with, so it favours plain, checkable code:
// an indexed store (store.ts), the evaluator (evaluate.ts), a decision log
// (decision-log.ts). Writes and deletes are visible to the very next check.

import type { DecisionLogEntry } from '../core/adapter.ts';
import { formatRelationship, type ObjectRef, type Relationship } from '../core/relationship.ts';
import { listSubjects, type SearchQuery, toCheckByName } from '../core/search.ts';
import type { CheckRequest, Decision, Properties } from '../core/request.ts';
import { DeadlineExceededError } from '../core/deadline.ts';
import { compileCondition, ConditionCostError, type CompiledCondition } from '../model/conditions.ts';
import { relationshipChecker, type RelationshipChange } from '../model/relationship-check.ts';
import { BudgetExceededError } from './budget.ts';
import type { Model } from '../model/types.ts';
import { DecisionLog, decisionIdText, type LoggedDecision } from './decision-log.ts';
import { type CheckOutcome, DEFAULT_MAX_DEPTH, DepthLimitError, Evaluator } from './evaluate.ts';
import { resourcesReaching, subjectsReachedFrom } from './reachability.ts';
import { RelationshipStore } from './store.ts';

export interface ReferenceOptions {
  /** Longest chain of relations followed before giving up with an error (default 50). */
  maxDepth?: number;
  /** Keep a decision log (default true). */
  decisionLog?: boolean;
  /** Newest entries kept by the decision log. */
  logCapacity?: number;
  /** Reject writes and deletes the model does not allow (default true); the loader applies the same rule. */
  validateWrites?: boolean;
  /** Answer nested groups from the group index where it is exact (default true; src/reference/group-index.ts). */
  groupIndex?: boolean;
  /** Climb hierarchies (`view: viewer | parent->view`) with the lean walk (default true; src/reference/hierarchy.ts). */
  hierarchies?: boolean;
}

export interface ReferenceDecision extends Decision {
  /** For an allow: the relationships that granted it, from the resource down to the subject. */
  readonly chain: Relationship[];
}

/** A request the engine could not decide: `error` says why. */
const failed = (why: string): ReferenceDecision => ({ allowed: false, chain: [], reason: why, error: why });

export class ReferenceEngine {
  readonly store = new RelationshipStore();
  readonly log: DecisionLog;
  #model!: Model;
  #conditions = new Map<string, CompiledCondition>();
  readonly #maxDepth: number;
  readonly #logging: boolean;
  readonly #validate: boolean;
  readonly #groupIndex: boolean;
  readonly #hierarchies: boolean;
  #revision = 0;
  /** Reused from check to check; made again when the model changes. */
  #evaluator: Evaluator | undefined;

  constructor(model: Model, options: ReferenceOptions = {}) {
    this.#maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.#logging = options.decisionLog ?? true;
    this.#validate = options.validateWrites ?? true;
    this.#groupIndex = options.groupIndex ?? true;
    this.#hierarchies = options.hierarchies ?? true;
    this.log = new DecisionLog(options.logCapacity, this.store);
    this.updateModel(model);
  }

  get model(): Model {
    return this.#model;
  }

  /**
   * How many changes (model, writes, deletes) this engine has seen: its consistency token.
   * Every check reads the current data, so it is at least as fresh as any revision issued.
   */
  get revision(): number {
    return this.#revision;
  }

  /** Replaces the model and keeps the relationships (policy update). Throws on a bad condition. */
  updateModel(model: Model): void {
    const conditions = new Map<string, CompiledCondition>();
    for (const [name, def] of model.conditions) conditions.set(name, compileCondition(def));
    this.#model = model;
    this.#conditions = conditions;
    this.#evaluator = undefined;
    // A type or action of the old model may be gone.
    this.#knownType = undefined;
    this.#knownAction = undefined;
    this.#revision++;
    // The new model's group index is built here, not by the first check after a policy update.
    this.#refreshGroupIndex(Number.POSITIVE_INFINITY);
  }

  /** Replaces the model and forgets every relationship and log entry. */
  reset(model: Model): void {
    this.updateModel(model);
    this.store.clear();
    this.log.clear();
  }

  /** Adds relationships (idempotent; rewriting one replaces its condition). All or nothing. */
  write(relationships: Relationship[]): void {
    const judge = this.#judge('write');
    // A bulk load sizes the store once, instead of growing it (and collecting garbage) step by step.
    this.store.reserve(relationships.length);
    // The store asks the judge about each relationship in the pass that reads it, and writes none if one is refused.
    if (!this.store.writeAll(relationships, judge?.accept)) judge?.throwProblems();
    this.#revision++;
    this.#refreshGroupIndex(relationships.length);
  }

  /** Removes relationships by identity (resource, relation, subject), ignoring conditions; idempotent. All or nothing. */
  delete(relationships: Relationship[]): void {
    const judge = this.#judge('delete');
    if (judge) {
      for (const rel of relationships) judge.accept(rel);
      judge.throwProblems();
    }
    for (const rel of relationships) this.store.delete(rel);
    this.#revision++;
    this.#refreshGroupIndex(relationships.length);
  }

  /**
   * What the model says of each relationship changed, when writes are validated: `accept` is
   * false for one the model does not allow, whose message it keeps; `throwProblems` throws them
   * all, if any. Asked once per shape (resource type, relation, subject form, condition).
   */
  #judge(change: RelationshipChange): { accept: (rel: Relationship) => boolean; throwProblems: () => void } | undefined {
    if (!this.#validate) return undefined;
    const problems: string[] = [];
    const problemOf = relationshipChecker(this.#model, change);
    return {
      accept: (rel) => {
        const found = problemOf(rel);
        if (found) problems.push(`${formatRelationship(rel)}: ${found.problem} (${found.fix})`);
        return !found;
      },
      throwProblems: () => {
        if (problems.length > 0) throw new Error(`cannot ${change}: ${problems.join('; ')}`);
      },
    };
  }

  /**
   * Decides one request and logs it. A request the model cannot answer gets `error`. The chain
   * and the reason are built when first read (evaluate.ts, CheckOutcome), also in the log.
   */
  check(request: CheckRequest): ReferenceDecision {
    const id = this.#logging ? this.log.nextId() : 0;
    const problem = this.#requestProblem(request);
    let decision: ReferenceDecision;
    // What the log keeps: an outcome's numbers (decision-log.ts), or a failure whole.
    let logged: CheckOutcome | LoggedDecision;
    if (problem) decision = logged = failed(problem);
    else {
      try {
        decision = logged = this.#checker().check(request);
      } catch (error) {
        if (!(error instanceof DepthLimitError || error instanceof BudgetExceededError || error instanceof ConditionCostError || error instanceof DeadlineExceededError)) throw error;
        decision = logged = failed(error.message);
      }
    }
    if (id) {
      decision.decisionId = decisionIdText(id);
      this.log.record(id, request, logged);
    }
    return decision;
  }

  /** After a change of `changed` relationships: the group index rebuilt now if stale and the change large or the store small (group-index.ts). */
  #refreshGroupIndex(changed: number): void {
    if (this.#groupIndex) this.#checker().groupIndex().refresh(changed);
  }

  /** The evaluator for the current model, made once and reused by every check and search. */
  #checker(): Evaluator {
    this.#evaluator ??= new Evaluator({
      model: this.#model,
      store: this.store,
      conditions: this.#conditions,
      maxDepth: this.#maxDepth,
      groupIndex: this.#groupIndex,
      hierarchies: this.#hierarchies,
    });
    return this.#evaluator;
  }

  /** The last resource type and action found to be in the model (most checks ask what the one before asked). */
  #knownType: string | undefined;
  #knownAction: string | undefined;

  #requestProblem(request: CheckRequest): string | undefined {
    if (request.resource.type === this.#knownType && request.action.name === this.#knownAction) return undefined;
    const type = this.#model.types.get(request.resource.type);
    if (!type) return `unknown resource type '${request.resource.type}'`;
    const name = request.action.name;
    if (!type.relations.has(name) && !type.permissions.has(name)) {
      return `'${name}' is not a relation or permission of type '${request.resource.type}'`;
    }
    this.#knownType = request.resource.type;
    this.#knownAction = name;
    return undefined;
  }

  /**
   * The AuthZEN searches, exact, by checking every candidate (not logged):
   * - resources: the resources of the type connected to the subject by some chain of
   *   relationships (reachability.ts: a resource no chain connects can grant nothing);
   * - subjects: the subjects of the type some chain from the resource reaches, `*` where a
   *   wildcard is reached (`*` in the answer: every subject of the type, through the wildcard;
   *   subjects granted only through it are not listed one by one: src/core/search.ts, listSubjects);
   * - actions: every relation and permission of the resource's type.
   * Cost: the walk over the relationships reached, then one check per candidate; a
   * depth-limit error leaves the candidate out. Sorted ids.
   */
  search(query: SearchQuery): string[] {
    const checker = this.#checker();
    const context = query.context ? { context: query.context } : {};
    const allowed = (request: CheckRequest, withoutWildcard = false) => {
      try {
        return checker.check(request, withoutWildcard).allowed;
      } catch (error) {
        if (error instanceof DepthLimitError) return false;
        throw error;
      }
    };
    switch (query.kind) {
      case 'resources': {
        const type = this.#model.types.get(query.resourceType);
        if (!type || (!type.relations.has(query.action.name) && !type.permissions.has(query.action.name))) return [];
        return resourcesReaching(this.store, this.#model, query.subject, query.resourceType)
          .filter((id) => allowed({ subject: query.subject, action: query.action, resource: { type: query.resourceType, id }, ...context }))
          .sort();
      }
      case 'subjects': {
        const request = (id: string): CheckRequest => ({ subject: { type: query.subjectType, id }, action: query.action, resource: query.resource, ...context });
        const candidates = subjectsReachedFrom(this.store, this.#model, query.resource, query.subjectType);
        const granted = new Set(candidates.filter((id) => allowed(request(id))));
        const grantedByName = new Set(toCheckByName(granted).filter((id) => allowed(request(id), true)));
        return listSubjects(granted, grantedByName).sort();
      }
      case 'actions': {
        const type = this.#model.types.get(query.resource.type);
        if (!type) return [];
        return [...type.relations.keys(), ...type.permissions.keys()].filter((name) => allowed({ subject: query.subject, action: { name }, resource: query.resource, ...context })).sort();
      }
    }
  }

  /** Every resource of `resourceType` on which `subject` has `permission` (ids sorted): a resource search. */
  lookupResources(subject: ObjectRef & { properties?: Properties }, permission: string, resourceType: string, context?: Properties): ObjectRef[] {
    const query: SearchQuery = { kind: 'resources', subject, action: { name: permission }, resourceType, ...(context ? { context } : {}) };
    return this.search(query).map((id) => ({ type: resourceType, id }));
  }

  /** The decision log since the model was loaded (reset). */
  decisionLog(): DecisionLogEntry[] {
    return this.log.entries();
  }

  relationships(): string[] {
    return this.store.all().map(formatRelationship);
  }
}

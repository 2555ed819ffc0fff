// Neutral model -> Cedar schema and policies. Pure: the adapter preparses the text, the
// entity store (entities.ts) builds the entities each request needs. See README.md.
//
// Entities:
//   <type>::"<id>"                 every object (principal or resource), e.g. folder::"f1"
//   <type>::<name>::"<id>"         a node: the set of subjects that have relation or permission
//                                  <name> on object <id>; subjects are its descendants, so
//                                  `principal in folder::view::"f1"` asks the question
//   Wildcard::"<type>"             parent of every principal of <type>: a `type:*` grant
// A relationship `folder:f1#viewer@user:anne` makes user::"anne" a child of
// folder::viewer::"f1"; `...@group:eng#member` makes group::member::"eng" one; the union
// structure of the model (computed relations, tuple-to-userset) becomes parents between nodes
// (folder::viewer::"f1" in folder::view::"f1"; folder::view::"f1" in document::view::"d1" when
// d1's parent is f1). Such a "graph name" is one `permit` whose condition is Cedar's `in`.
// Intersection and exclusion have no graph form: they become `&&` and `unless` in the policy of
// the permission that is checked, over the nodes (resource attributes) it combines.
// Conditional relationships are grants: one Cedar policy per relationship (grants in
// entities.ts), its condition a `when` clause with the bound parameters as literals.

import { ClosureIndex, tuplesetTypes } from '../../src/model/closure.ts';
import type { Model, Rewrite } from '../../src/model/types.ts';
import { type CedarType, CelTranslationError, cedarString, type TranslatedCondition, translateCondition } from './cel.ts';

/** An attribute of a resource entity: one node (`view`), or the nodes reached by `t->v` on objects of one type. */
type NodeAttribute = { kind: 'name'; key: string; name: string } | { kind: 'ttu'; key: string; tupleset: string; computed: string; targetType: string };

/** A boolean combination of `<subject> in resource[<attribute>]` atoms. */
type Formula = { kind: 'atom'; attribute: NodeAttribute } | { kind: 'and' | 'or'; children: Formula[] } | { kind: 'not'; child: Formula };

/** One `permit` of a checked action on a type: `when` (and `unless` for a top-level exclusion). */
export interface Clause {
  id: string;
  action: string;
  type: string;
  when: Formula;
  unless?: Formula;
}

interface CedarNames {
  /** Cedar entity type of an object of `type`. */
  object(type: string): string;
  /** Cedar entity type of the nodes of `name` on `type`. */
  node(type: string, name: string): string;
  /** Cedar entity type whose entity `Wildcard::"<type>"` stands for `type:*`. */
  readonly wildcard: string;
}

export interface CedarTranslation {
  model: Model;
  schema: string;
  /** Policy id -> policy text, for the model (grants come per relationship). */
  policies: Map<string, string>;
  names: CedarNames;
  closures: ClosureIndex;
  /** Relations and union-only permissions per type: these have node entities. */
  graphNames: Map<string, Set<string>>;
  /** `type#action` -> the permits checked for that action on that type. */
  clauses: Map<string, Clause[]>;
  /** `type#relation` -> the (type, name) nodes a node of that relation can reach, itself included. */
  reach: Map<string, Set<string>>;
  conditions: Map<string, TranslatedCondition>;
  /** Context attributes the conditions read from the request, with their Cedar types. */
  contextTypes: Map<string, CedarType>;
  /** Why the model cannot be expressed exactly in Cedar; empty when it can. */
  unsupported: string[];
}

const RESERVED = new Set([
  'true',
  'false',
  'if',
  'then',
  'else',
  'in',
  'is',
  'like',
  'has',
  'principal',
  'action',
  'resource',
  'context',
  'permit',
  'forbid',
  'when',
  'unless',
  'Action',
  'Wildcard',
  '__cedar',
]);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A Cedar identifier for a neutral name, distinct from those in `taken` (then added to it). */
function identifier(name: string, taken: Set<string>): string {
  let id = IDENT.test(name) && !RESERVED.has(name) && !name.startsWith('__') ? name : `N_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  while (taken.has(id)) id = `${id}_`;
  taken.add(id);
  return id;
}

function makeNames(model: Model): CedarNames {
  // Object types keep their names where Cedar allows them.
  const typeIds = new Map<string, string>();
  const takenTypes = new Set<string>(['Wildcard', 'Action']);
  for (const type of model.types.keys()) if (IDENT.test(type) && !RESERVED.has(type)) typeIds.set(type, identifier(type, takenTypes));
  for (const type of model.types.keys()) if (!typeIds.has(type)) typeIds.set(type, identifier(type, takenTypes));
  // A node type `folder::view` may not share its last name with a root type (Cedar: "illegally shadows").
  const nodeIds = new Map<string, string>();
  for (const [type, def] of model.types) {
    const taken = new Set(takenTypes);
    for (const name of [...def.relations.keys(), ...def.permissions.keys()]) nodeIds.set(`${type}#${name}`, identifier(name, taken));
  }
  return {
    object: (type) => typeIds.get(type) ?? identifier(type, new Set(takenTypes)),
    node: (type, name) => `${typeIds.get(type) ?? type}::${nodeIds.get(`${type}#${name}`) ?? name}`,
    wildcard: 'Wildcard',
  };
}

const key = (type: string, name: string) => `${type}#${name}`;

/** Which names have node entities: relations, and permissions whose union closure holds only such names. */
function findGraphNames(model: Model, closures: ClosureIndex): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [type, def] of model.types) graph.set(type, new Set([...def.relations.keys(), ...def.permissions.keys()]));
  let changed = true;
  while (changed) {
    changed = false;
    for (const [type, def] of model.types) {
      for (const name of def.permissions.keys()) {
        if (!graph.get(type)!.has(name)) continue;
        const closure = closures.get(type, name);
        const ttuOk = closure.ttu.every((t) => tuplesetTypes(model, type, t.tupleset).every((target) => !hasName(model, target, t.computed) || graph.get(target)!.has(t.computed)));
        if (closure.opaque.length > 0 || !ttuOk) {
          graph.get(type)!.delete(name);
          changed = true;
        }
      }
    }
  }
  return graph;
}

function hasName(model: Model, type: string, name: string): boolean {
  const def = model.types.get(type);
  return !!def && (def.relations.has(name) || def.permissions.has(name));
}

/** Type-level edges between graph names: (type, name) -> the graph names it feeds. */
function typeEdges(model: Model, closures: ClosureIndex, graph: Map<string, Set<string>>): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  const add = (from: string, to: string) => {
    let set = edges.get(from);
    if (!set) {
      set = new Set();
      edges.set(from, set);
    }
    set.add(to);
  };
  for (const [type, def] of model.types) {
    for (const name of graph.get(type)!) {
      if (def.relations.has(name)) {
        for (const allowed of def.relations.get(name)!.allowed) {
          if (allowed.relation && graph.get(allowed.type)?.has(allowed.relation)) add(key(allowed.type, allowed.relation), key(type, name));
        }
        continue;
      }
      const closure = closures.get(type, name);
      for (const relation of closure.direct) add(key(type, relation), key(type, name));
      for (const t of closure.ttu) {
        for (const target of tuplesetTypes(model, type, t.tupleset)) if (hasName(model, target, t.computed)) add(key(target, t.computed), key(type, name));
      }
    }
  }
  return edges;
}

function reachable(start: string, edges: Map<string, Set<string>>): Set<string> {
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length) {
    for (const next of edges.get(queue.pop()!) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return seen;
}

class ClauseBuilder {
  readonly problems: string[] = [];
  constructor(
    private readonly model: Model,
    private readonly graph: Map<string, Set<string>>,
  ) {}

  /** The formula for `rewrite` on `type`; computed references to non-graph permissions are inlined. */
  formula(type: string, rewrite: Rewrite, inlining: string[]): Formula {
    switch (rewrite.kind) {
      case 'computed': {
        const name = rewrite.relation;
        if (this.graph.get(type)?.has(name)) return { kind: 'atom', attribute: { kind: 'name', key: name, name } };
        const permission = this.model.types.get(type)?.permissions.get(name);
        if (!permission) return { kind: 'or', children: [] };
        if (inlining.includes(name)) {
          this.problems.push(`${type}.${name} refers to itself through an intersection or exclusion (${[...inlining, name].join(' -> ')}); Cedar policies cannot recurse`);
          return { kind: 'or', children: [] };
        }
        return this.formula(type, permission.rewrite, [...inlining, name]);
      }
      case 'tupleToUserset': {
        const children: Formula[] = [];
        for (const target of tuplesetTypes(this.model, type, rewrite.tupleset)) {
          if (!hasName(this.model, target, rewrite.computed)) continue;
          if (!this.graph.get(target)!.has(rewrite.computed)) {
            this.problems.push(
              `${type}: '${rewrite.tupleset}->${rewrite.computed}' reaches ${target}.${rewrite.computed}, an intersection or exclusion, on related objects: ` +
                "Cedar's only recursion is `in` over entity parents (a union) and it has no quantifier over a set of entities, so this has no exact Cedar form",
            );
            continue;
          }
          const attributeKey = `${rewrite.tupleset}->${rewrite.computed}:${target}`;
          children.push({ kind: 'atom', attribute: { kind: 'ttu', key: attributeKey, tupleset: rewrite.tupleset, computed: rewrite.computed, targetType: target } });
        }
        return children.length === 1 ? children[0]! : { kind: 'or', children };
      }
      case 'union':
        return { kind: 'or', children: rewrite.children.map((c) => this.formula(type, c, inlining)) };
      case 'intersection':
        return { kind: 'and', children: rewrite.children.map((c) => this.formula(type, c, inlining)) };
      case 'exclusion':
        return { kind: 'and', children: [this.formula(type, rewrite.base, inlining), { kind: 'not', child: this.formula(type, rewrite.subtract, inlining) }] };
    }
  }

  /** The permits of a non-graph permission: one per top-level union branch, exclusion as `unless`. */
  clauses(type: string, name: string, rewrite: Rewrite): Clause[] {
    const branches = rewrite.kind === 'union' ? rewrite.children : [rewrite];
    return branches.map((branch, i) => {
      const id = `${type}.${name}${branches.length > 1 ? `#${i + 1}` : ''}`;
      if (branch.kind === 'exclusion') {
        return { id, action: name, type, when: this.formula(type, branch.base, [name]), unless: this.formula(type, branch.subtract, [name]) };
      }
      return { id, action: name, type, when: this.formula(type, branch, [name]) };
    });
  }
}

/** `subject in resource["attr"]` atoms; `gate` replaces the subject of one atom (a grant's node). */
function renderFormula(formula: Formula, gate?: { attribute: string; node: string }): string {
  switch (formula.kind) {
    case 'atom': {
      const subject = gate && gate.attribute === formula.attribute.key ? gate.node : 'principal';
      return `${subject} in resource[${cedarString(formula.attribute.key)}]`;
    }
    case 'and':
      return formula.children.length ? `(${formula.children.map((c) => renderFormula(c, gate)).join(' && ')})` : 'true';
    case 'or':
      return formula.children.length ? `(${formula.children.map((c) => renderFormula(c, gate)).join(' || ')})` : 'false';
    case 'not':
      // Parenthesised: in Cedar `!` binds tighter than `in`, so `!principal in x` would negate the principal.
      return `!(${renderFormula(formula.child, gate)})`;
  }
}

/** The atoms of a formula, with whether each occurs under a negation. */
function atoms(formula: Formula, negated = false, out: { attribute: NodeAttribute; negated: boolean }[] = []): { attribute: NodeAttribute; negated: boolean }[] {
  if (formula.kind === 'atom') out.push({ attribute: formula.attribute, negated });
  else if (formula.kind === 'not') atoms(formula.child, !negated, out);
  else for (const child of formula.children) atoms(child, negated, out);
  return out;
}

/** The atoms of a clause (`unless` atoms count as negated). */
export function clauseAtoms(clause: Clause): { attribute: NodeAttribute; negated: boolean }[] {
  return [...atoms(clause.when), ...(clause.unless ? atoms(clause.unless, true) : [])];
}

/** The (type, name) node an attribute's atom tests, for reachability. */
export function attributeNode(type: string, attribute: NodeAttribute): string {
  return attribute.kind === 'name' ? key(type, attribute.name) : key(attribute.targetType, attribute.computed);
}

/** The policy text of a clause; with `grant`, the clause as one conditional relationship opens it. */
export function renderClause(clause: Clause, names: CedarNames, grant?: { principal: string; attribute: string; node: string; condition: string }): string {
  const principal = grant ? grant.principal : 'principal';
  const gate = grant ? { attribute: grant.attribute, node: grant.node } : undefined;
  const when = grant ? `${renderFormula(clause.when, gate)} && ${grant.condition}` : renderFormula(clause.when);
  const unless = clause.unless ? ` unless { ${renderFormula(clause.unless)} }` : '';
  return `permit(${principal}, action == Action::${cedarString(clause.action)}, resource is ${names.object(clause.type)}) when { ${when} }${unless};`;
}

export function translateModel(model: Model): CedarTranslation {
  const names = makeNames(model);
  const closures = new ClosureIndex(model);
  const unsupported: string[] = [];
  const graph = findGraphNames(model, closures);
  const edges = typeEdges(model, closures, graph);

  // Conditions, and the context attributes they read.
  const conditions = new Map<string, TranslatedCondition>();
  const contextTypes = new Map<string, CedarType>();
  for (const condition of model.conditions.values()) {
    try {
      const translated = translateCondition(condition);
      conditions.set(condition.name, translated);
      for (const [parameter, type] of translated.used) {
        const previous = contextTypes.get(parameter);
        if (previous && previous !== type) {
          unsupported.push(`conditions: parameter '${parameter}' is a ${previous} in one condition and a ${type} in another; Cedar's context has one type per attribute`);
        }
        contextTypes.set(parameter, type);
      }
    } catch (error) {
      if (!(error instanceof CelTranslationError)) throw error;
      unsupported.push(`conditions: CEL expression '${condition.expression}' (condition ${condition.name}) cannot be translated to Cedar: ${error.message}`);
    }
  }

  // Conditional subjects: direct and wildcard ones become grant policies; usersets and
  // tuplesets with conditions would need one policy per combination of grants on a path.
  const conditionalRelations: string[] = [];
  for (const [type, def] of model.types) {
    for (const relation of def.relations.values()) {
      for (const allowed of relation.allowed) {
        if (allowed.relation && hasName(model, allowed.type, allowed.relation) && !graph.get(allowed.type)!.has(allowed.relation)) {
          unsupported.push(
            `usersets: ${type}.${relation.name} allows '${allowed.type}#${allowed.relation}', an intersection or exclusion: a userset is a parent in Cedar's entity graph, and \`in\` over parents is a union`,
          );
        }
        if (!allowed.condition) continue;
        if (allowed.relation) {
          unsupported.push(
            `conditions: ${type}.${relation.name} allows '${allowed.type}#${allowed.relation} with ${allowed.condition}', a conditional userset: a path could pass several conditional relationships, and Cedar's \`in\` over entity parents cannot be conditional`,
          );
        } else conditionalRelations.push(key(type, relation.name));
      }
    }
    for (const name of def.permissions.keys()) {
      for (const t of closures.get(type, name).ttu) {
        const tupleset = def.relations.get(t.tupleset);
        if (tupleset?.allowed.some((a) => a.condition && !a.relation && !a.wildcard)) {
          unsupported.push(
            `conditions: ${type}.${t.tupleset} has conditional objects and is followed by '${t.tupleset}->${t.computed}': Cedar's \`in\` over entity parents cannot be conditional`,
          );
        }
      }
    }
  }
  const reach = new Map<string, Set<string>>();
  for (const relation of new Set(conditionalRelations)) reach.set(relation, reachable(relation, edges));

  // Clauses per checked action.
  const builder = new ClauseBuilder(model, graph);
  const clauses = new Map<string, Clause[]>();
  for (const [type, def] of model.types) {
    for (const name of [...def.relations.keys(), ...def.permissions.keys()]) {
      if (graph.get(type)!.has(name)) {
        clauses.set(key(type, name), [{ id: `${type}.${name}`, action: name, type, when: { kind: 'atom', attribute: { kind: 'name', key: name, name } } }]);
      } else {
        clauses.set(key(type, name), builder.clauses(type, name, def.permissions.get(name)!.rewrite));
      }
    }
  }
  unsupported.push(...new Set(builder.problems));

  // A grant opens one atom of a clause: more than one atom a grant could open, or one under a
  // negation (an undecided condition there must deny), has no exact form with one policy per grant.
  for (const list of clauses.values()) {
    for (const clause of list) {
      const fed = clauseAtoms(clause).filter((a) => [...reach.values()].some((r) => r.has(attributeNode(clause.type, a.attribute))));
      if (fed.some((a) => a.negated)) {
        unsupported.push(`conditions: ${clause.id} subtracts or negates a relation that conditional relationships can grant; Cedar would need every such grant inside one policy`);
      } else if (fed.length > 1) {
        unsupported.push(`conditions: ${clause.id} combines ${fed.length} relations that conditional relationships can grant; Cedar would need one policy per combination of grants`);
      }
    }
  }

  const policies = new Map<string, string>();
  for (const list of clauses.values()) for (const clause of list) policies.set(clause.id, renderClause(clause, names));

  return {
    model,
    schema: writeSchema(model, names, graph, edges, clauses, contextTypes),
    policies,
    names,
    closures,
    graphNames: graph,
    clauses,
    reach,
    conditions,
    contextTypes,
    unsupported: [...new Set(unsupported)],
  };
}

function writeSchema(
  model: Model,
  names: CedarNames,
  graph: Map<string, Set<string>>,
  edges: Map<string, Set<string>>,
  clauses: Map<string, Clause[]>,
  contextTypes: Map<string, CedarType>,
): string {
  const nodeOf = (k: string) => {
    const hash = k.indexOf('#');
    return names.node(k.slice(0, hash), k.slice(hash + 1));
  };
  // Parents a principal of each type can have: relation nodes it is a direct subject of, Wildcard.
  const principalParents = new Map<string, Set<string>>();
  for (const type of model.types.keys()) principalParents.set(type, new Set());
  for (const [type, def] of model.types) {
    for (const relation of def.relations.values()) {
      for (const allowed of relation.allowed) {
        if (allowed.relation || !model.types.has(allowed.type)) continue;
        principalParents.get(allowed.type)!.add(allowed.wildcard ? names.wildcard : names.node(type, relation.name));
      }
    }
  }
  const lines: string[] = ['// Generated by authz-bench from the neutral model (adapters/cedar/translate.ts).'];
  const wildcardParents = new Set<string>();
  for (const [type, def] of model.types) {
    for (const relation of def.relations.values()) if (relation.allowed.some((a) => a.wildcard)) wildcardParents.add(names.node(type, relation.name));
  }
  lines.push(`entity ${names.wildcard}${wildcardParents.size ? ` in [${[...wildcardParents].join(', ')}]` : ''};`);
  for (const type of model.types.keys()) {
    const attributes = new Map<string, string>();
    for (const name of graph.get(type)!) attributes.set(name, names.node(type, name));
    for (const [k, list] of clauses) {
      if (!k.startsWith(`${type}#`)) continue;
      for (const clause of list) {
        for (const { attribute } of clauseAtoms(clause)) {
          if (attribute.kind === 'ttu') attributes.set(attribute.key, `Set<${names.node(attribute.targetType, attribute.computed)}>`);
        }
      }
    }
    const parents = [...principalParents.get(type)!];
    const shape = [...attributes].map(([k, t]) => `${cedarString(k)}: ${t}`).join(', ');
    lines.push(`entity ${names.object(type)}${parents.length ? ` in [${parents.join(', ')}]` : ''} = { ${shape} };`);
  }
  for (const type of model.types.keys()) {
    const nodes = [...graph.get(type)!].map((name) => {
      const parents = [...(edges.get(key(type, name)) ?? [])].map(nodeOf);
      const local = names.node(type, name).split('::')[1];
      return `  entity ${local}${parents.length ? ` in [${parents.join(', ')}]` : ''};`;
    });
    if (nodes.length) lines.push(`namespace ${names.object(type)} {`, ...nodes, '}');
  }
  const context = [...contextTypes].map(([k, t]) => `${cedarString(k)}?: ${t}`).join(', ');
  const principals = [...model.types.keys()].map(names.object).join(', ');
  const actions = new Map<string, string[]>();
  for (const [type, def] of model.types) {
    for (const name of [...def.relations.keys(), ...def.permissions.keys()]) {
      if (!actions.has(name)) actions.set(name, []);
      actions.get(name)!.push(names.object(type));
    }
  }
  for (const [action, resources] of actions) {
    lines.push(`action ${cedarString(action)} appliesTo { principal: [${principals}], resource: [${resources.join(', ')}], context: { ${context} } };`);
  }
  return `${lines.join('\n')}\n`;
}

/** One reason per model feature Cedar (this translation) cannot express exactly. */
export function unsupportedReasons(model: Model): string[] {
  return translateModel(model).unsupported;
}

// Neutral model -> Polar (oso 0.27). Pure: the adapter registers the classes and loads the text.
//
// Shape of the generated policy (README.md says why there are no resource blocks):
//   allow(actor, action, resource)                       entry point, as in every Oso policy
//   has(actor, name, obj, seen, mode)                    dispatcher with the cycle check (`seen` =
//                                                        nodes on the current path) and depth limit
//   has_relation(actor, "viewer", obj: folder, seen, mode)     a relationship grants it: one rule
//                                                        for direct/wildcard facts, one for usersets
//   grants_permission(actor, "view", obj: folder, seen, mode)  one rule per union branch of the
//                                                        rewrite (Oso reserves has_permission for its
//                                                        3-argument resource-block rule type)
//   holds(fact, actor, mode)                             the relationship's condition: none, or the
//                                                        CEL expression translated to Polar (cel.ts)
// `mode` gives three-valued logic with two-valued rules: "strict" counts an undecided condition
// (missing parameter) as false, "lenient" as true; an exclusion asks its subtracted side in the
// other mode, so "allowed" means allowed for every value the missing parameter could take.
// Tuple-to-userset and nested groups are recursive rules; intersection is conjunction,
// exclusion is `not`, a wildcard is a fact whose subject id is `*`.

import type { Model, Rewrite, TypeDefinition } from '../../src/model/types.ts';
import { CelTranslationError, translateCondition } from './cel.ts';

export interface Translation {
  polar: string;
  /** Polar class name for each neutral type. */
  classNames: Map<string, string>;
  /** Parameters each translated condition reads. */
  usedParameters: Map<string, string[]>;
  /** Conditions that could not be translated: name -> reason. */
  conditionErrors: Map<string, string>;
}

const RESERVED = new Set([
  'and',
  'or',
  'not',
  'if',
  'in',
  'matches',
  'new',
  'cut',
  'debug',
  'print',
  'forall',
  'nil',
  'true',
  'false',
  'type',
  'mod',
  'rem',
  'isa',
  'actor',
  'resource',
  'global',
  'Cel',
  'String',
  'Integer',
  'Float',
  'Boolean',
  'List',
  'Dictionary',
  'Actor',
  'Resource',
]);

export function polarClassName(type: string): string {
  const safe = type.replace(/[^A-Za-z0-9_]/g, '_');
  if (safe !== type || RESERVED.has(type) || !/^[A-Za-z_]/.test(type)) return `T_${safe}`;
  return type;
}

function str(text: string): string {
  return JSON.stringify(text);
}

class PolicyWriter {
  private counter = 0;

  /** A Polar goal that holds when `actor` has `rewrite` on `obj`, in the mode held by variable `mode`. */
  goal(rewrite: Rewrite, mode: string): string {
    switch (rewrite.kind) {
      case 'computed':
        return `has(actor, ${str(rewrite.relation)}, obj, seen, ${mode})`;
      case 'tupleToUserset': {
        const f = `f${this.counter++}`;
        return `(${f} in obj.objects(${str(rewrite.tupleset)}) and holds(${f}, actor, ${mode}) and has(actor, ${str(rewrite.computed)}, ${f}.subject, seen, ${mode}))`;
      }
      case 'union':
        return `(${rewrite.children.map((c) => this.goal(c, mode)).join(' or ')})`;
      case 'intersection':
        return `(${rewrite.children.map((c) => this.goal(c, mode)).join(' and ')})`;
      case 'exclusion': {
        // Deny unless the subtracted part is false even when undecided conditions count as true.
        const other = `m${this.counter++}`;
        return `(${this.goal(rewrite.base, mode)} and flip(${mode}, ${other}) and not ${this.goal(rewrite.subtract, other)})`;
      }
    }
  }

  relationRules(type: TypeDefinition, className: string): string[] {
    const rules: string[] = [];
    for (const relation of type.relations.values()) {
      const head = (seen: string) => `has_relation(actor, ${str(relation.name)}, obj: ${className}, ${seen}, mode)`;
      // Every fact's condition is checked, even where the model declares none.
      if (relation.allowed.some((a) => !a.relation)) {
        rules.push(`${head('_seen')} if\n  fact in obj.direct(${str(relation.name)}, actor) and\n  holds(fact, actor, mode);`);
      }
      if (relation.allowed.some((a) => a.relation)) {
        rules.push(`${head('seen')} if\n  fact in obj.usersets(${str(relation.name)}) and\n  holds(fact, actor, mode) and\n  has(actor, fact.relation, fact.subject, seen, mode);`);
      }
      // A relation no subject can be written to still needs to exist as a name.
      if (relation.allowed.length === 0) rules.push(`has_relation(_actor, ${str(relation.name)}, _obj: ${className}, _seen, _mode) if false;`);
    }
    return rules;
  }

  permissionRules(type: TypeDefinition, className: string): string[] {
    const rules: string[] = [];
    for (const permission of type.permissions.values()) {
      const head = `grants_permission(actor, ${str(permission.name)}, obj: ${className}, seen, mode)`;
      const branches = permission.rewrite.kind === 'union' ? permission.rewrite.children : [permission.rewrite];
      rules.push(`# ${permission.name}: ${permission.source}`);
      for (const branch of branches) {
        this.counter = 0;
        rules.push(`${head} if\n  ${this.goal(branch, 'mode')};`);
      }
    }
    return rules;
  }
}

export function translateModel(model: Model): Translation {
  const classNames = new Map<string, string>();
  for (const type of model.types.keys()) classNames.set(type, polarClassName(type));

  const usedParameters = new Map<string, string[]>();
  const conditionErrors = new Map<string, string>();
  const conditionRules: string[] = [];
  for (const condition of model.conditions.values()) {
    try {
      const translated = translateCondition(condition);
      usedParameters.set(condition.name, translated.used);
      conditionRules.push(`# ${condition.name}: ${condition.expression.replace(/\s+/g, ' ')}`);
      conditionRules.push(`holds(fact, actor, _mode) if\n  fact.condition = ${str(condition.name)} and\n  p in actor.params(fact) and\n  ${translated.body};`);
    } catch (error) {
      if (!(error instanceof CelTranslationError)) throw error;
      conditionErrors.set(condition.name, error.message);
    }
  }

  const writer = new PolicyWriter();
  const lines: string[] = [
    '# Generated by authz-bench from the neutral model (adapters/oso/translate.ts).',
    '',
    'allow(actor, action: String, resource) if has(actor, action, resource, [], "strict");',
    '',
    '# A relation or permission `name` of `obj`; `seen` is the path walked so far (cycle safety).',
    '# mode "strict": an undecided condition (missing or invalid parameter) is false;',
    '# mode "lenient": it is true. The subtracted side of an exclusion is asked in the other mode,',
    '# so an undecided condition there denies, as it does in the reference engine (fail closed).',
    'has(actor, name, obj, seen, mode) if',
    '  node = obj.visit(name, seen) and not node in seen and path = [node, *seen] and',
    '  (has_relation(actor, name, obj, path, mode) or grants_permission(actor, name, obj, path, mode));',
    '# A cycle through two or more relations is undecided: true when undecided counts as true.',
    'has(_actor, name, obj, seen, "lenient") if',
    '  node = obj.visit(name, seen) and node in seen and obj.undecidedCycle(node, seen) = true;',
    'flip("strict", "lenient");',
    'flip("lenient", "strict");',
    '',
    '# Conditions: an unconditional relationship always holds.',
    'holds(fact, _actor, _mode) if fact.condition = nil;',
    'holds(fact, actor, "lenient") if fact.condition != nil and actor.undecided(fact) = true;',
    ...conditionRules,
    '',
    // Keep every rule name defined even for models without relations or permissions.
    'has_relation(_actor, _name, _obj, _seen, _mode) if false;',
    'grants_permission(_actor, _name, _obj, _seen, _mode) if false;',
  ];
  for (const [name, type] of model.types) {
    const className = classNames.get(name)!;
    const rules = [...writer.relationRules(type, className), ...writer.permissionRules(type, className)];
    if (rules.length === 0) continue;
    lines.push('', `# type ${name}`, ...rules);
  }
  return { polar: `${lines.join('\n')}\n`, classNames, usedParameters, conditionErrors };
}

/** One reason per model feature Oso (this translation) cannot express. */
export function unsupportedReasons(model: Model): string[] {
  const reasons: string[] = [];
  const { conditionErrors } = translateModel(model);
  for (const [name, reason] of conditionErrors) {
    const expression = model.conditions.get(name)?.expression ?? '';
    reasons.push(`conditions: CEL expression '${expression}' (condition ${name}) cannot be translated to Polar: ${reason}`);
  }
  return reasons;
}

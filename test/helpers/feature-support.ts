// What each engine cannot decide of the language features of test/helpers/language-features.ts,
// asserted by the contract test's per-feature random-graph differential: the exact unsupported
// reasons (each explained in the adapter's README), and the engine's own documented answers
// where they differ from the reference engine (a pattern every disagreement must match).

/** Engine id -> feature -> the exact unsupported reasons the adapter gives. */
export const FEATURE_UNSUPPORTED: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  // Cedar: adapters/cedar/README.md (conditions and exclusions inside entity-parent recursion, CEL it cannot translate).
  cedar: {
    'recursion-under-exclusion': [
      "folder: 'parent->deep' reaches folder.deep, an intersection or exclusion, on related objects: Cedar's only recursion is `in` over entity parents (a union) and it has no quantifier over a set of entities, so this has no exact Cedar form",
      "folder: 'parent->wide' reaches folder.wide, an intersection or exclusion, on related objects: Cedar's only recursion is `in` over entity parents (a union) and it has no quantifier over a set of entities, so this has no exact Cedar form",
    ],
    'cycle-through-relations': [
      "usersets: doc.restricted allows 'doc#viewer', an intersection or exclusion: a userset is a parent in Cedar's entity graph, and `in` over parents is a union",
    ],
    'conditional-direct': ['conditions: doc.view subtracts or negates a relation that conditional relationships can grant; Cedar would need every such grant inside one policy'],
    'conditional-userset': [
      "conditions: group.member allows 'group#member with not_expired', a conditional userset: a path could pass several conditional relationships, and Cedar's `in` over entity parents cannot be conditional",
      "conditions: doc.viewer allows 'group#member with not_expired', a conditional userset: a path could pass several conditional relationships, and Cedar's `in` over entity parents cannot be conditional",
      'conditions: doc.view subtracts or negates a relation that conditional relationships can grant; Cedar would need every such grant inside one policy',
    ],
    'conditional-tupleset': ["conditions: folder.parent has conditional objects and is followed by 'parent->view': Cedar's `in` over entity parents cannot be conditional"],
    'parameters-numbers': [
      "conditions: CEL expression 'n != 0u && n < 3u' (condition small) cannot be translated to Cedar: parameter 'n': a uint parameter has no exact Cedar type (Cedar has no floating point, and records need a declared shape) (at 'n')",
      "conditions: CEL expression 'ratio > 1.0' (condition positive) cannot be translated to Cedar: parameter 'ratio': a double parameter has no exact Cedar type (Cedar has no floating point, and records need a declared shape) (at 'ratio')",
    ],
    'parameters-ipaddress': [
      "conditions: CEL expression 'ip.in_cidr(\"10.0.0.0/8\")' (condition in_office) cannot be translated to Cedar: method 'in_cidr' has no Cedar translation (only startsWith/endsWith/contains with a literal string) (at 'ip.in_cidr(\"10.0.0.0/8\")')",
    ],
    'parameters-collections': [
      "conditions: CEL expression 'levels[\"read\"] >= 2' (condition mapped) cannot be translated to Cedar: operator '[]' has no Cedar translation as a value (at 'levels[\"read\"]')",
      "conditions: CEL expression 'value == 1' (condition anything) cannot be translated to Cedar: parameter 'value': a any parameter has no exact Cedar type (Cedar has no floating point, and records need a declared shape) (at 'value')",
    ],
    'request-properties': [
      "conditions: CEL expression 'subject.level >= resource.level' (condition clearance) cannot be translated to Cedar: operator '.' has no Cedar translation as a value (at 'subject.level')",
      "conditions: CEL expression 'has(action.soft) && action.soft == true' (condition soft_delete) cannot be translated to Cedar: operator 'call' has no Cedar translation as a condition (at 'has(action.soft)')",
      "conditions: CEL expression 'context.region == \"eu\"' (condition from_context) cannot be translated to Cedar: operator '.' has no Cedar translation as a value (at 'context.region')",
    ],
  },
  spicedb: {
    'tupleset-other-subjects': [
      "tupleToUserset: tupleset relation 'folder.parent' allows folder:*; SpiceDB rejects wildcards on the left of an arrow",
      "tupleToUserset: tupleset relation 'folder.parent' allows folder#parent; SpiceDB's arrow follows a userset subject's object, where the neutral model ignores userset subjects of a tupleset",
    ],
  },
  openfga: {
    'tupleset-other-subjects': ["tupleToUserset: tupleset relation 'folder.parent' allows folder:*, folder#parent; OpenFGA rejects usersets and wildcards on a tupleset relation"],
  },
};

/** Engine id -> feature -> what every disagreement says (the engine's documented behaviour). */
export const FEATURE_DEVIATIONS: Readonly<Record<string, Readonly<Record<string, RegExp>>>> = {
  // Cedar makes each hierarchy cycle one representative entity (it rejects cycles in the entity graph), so a cycle
  // through two relations grants where the neutral semantics says undecided (as fidelity's exclusion-cycle-mixed).
  cedar: { 'recursion-mutual': /engine true +reference false \(folder:\w#\w+ undecided for user:u\d, failing closed: cycle through / },
};

/** Engine id -> feature -> the engine's error when it refuses the feature's model at load (asserted, so a fix shows). */
export const FEATURE_REJECTED: Readonly<Record<string, Readonly<Record<string, RegExp>>>> = {
  // SpiceDB's caveats type a uint parameter as int, so `n != 0u` does not type-check (as in fidelity's cel-coverage).
  spicedb: { 'parameters-numbers': /SpiceDB rejected the schema: .*no matching overload for '_!=_' applied to '\(int, uint\)'/ },
};

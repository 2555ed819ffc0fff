// What the engines cannot run of the bundled scenarios, each reason explained in the adapter's
// README. The contract test (test/engines/contract.test.ts) fails on anything unsupported that is not
// listed here, and on a listed entry that became supported.

/** Engines whose writes return no consistency token cannot run the new-enemy check (docs/scenarios.md). */
const NO_TOKENS = {
  'revocation-new-enemy': 'new enemy: the engine returns no consistency token with a write (no Zanzibar zookie), so no check can be asked to be at least as fresh as the revocation',
};
/** Cedar: an exclusion inside tuple-to-userset recursion (adapters/cedar/README.md). */
const cedarRecursiveExclusion = (type: string) =>
  `${type}: 'parent->view' reaches folder.view, an intersection or exclusion, on related objects: Cedar's only recursion is \`in\` over entity parents (a union) and it has no quantifier over a set of entities, so this has no exact Cedar form`;
/** Cedar: a conditional userset (adapters/cedar/README.md). */
const cedarConditionalUserset = (relation: string, allowed: string) =>
  `conditions: ${relation} allows '${allowed}', a conditional userset: a path could pass several conditional relationships, and Cedar's \`in\` over entity parents cannot be conditional`;
/** Engine id → scenario id → the exact unsupported reason the adapter gives. */
export const KNOWN_UNSUPPORTED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  cedar: {
    'hierarchy-nested-folders': `${cedarRecursiveExclusion('folder')}; ${cedarRecursiveExclusion('document')}`,
    'scale-agent-fleet': `${cedarConditionalUserset('task.reader', 'agent#session with not_expired')}; ${cedarConditionalUserset('task.writer', 'agent#session with not_expired')}`,
    ...NO_TOKENS,
  },
  cerbos: NO_TOKENS,
  opa: NO_TOKENS,
  openfga: NO_TOKENS,
  oso: NO_TOKENS,
};
/** Engines that keep no decision log: their log completeness steps are audit findings (docs/verdicts.md), not unsupported. */
export const NO_DECISION_LOG_ENGINES: ReadonlySet<string> = new Set(['cedar', 'oso', 'spicedb']);

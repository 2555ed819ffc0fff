// Every feature of the neutral language (docs/model.md), one small model each, for the shared
// random-graph differential (test/engines/contract.test.ts): an engine runs random graphs of
// every feature it can express against the reference engine, and says why for the others, so a
// feature is never silently skipped. Small models make dense graphs: cycles, deep chains and
// conditional paths are common on three objects per type.

import type { EngineAdapter } from '../../src/core/adapter.ts';
import type { Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import type { Model } from '../../src/model/types.ts';
import type { EnginePair } from './conformance.ts';
import { model } from './model.ts';
import { mixed, randomModelChecks, randomModelGraph } from './random-graphs.ts';

const NOT_EXPIRED = `
  not_expired:
    parameters: {now: timestamp, expires_at: timestamp}
    expression: now < expires_at`;

const GROUPS = `
  user: {}
  group:
    relations:
      member: [user, group#member]`;

/** Feature id -> the model that exercises it (YAML of `model:`). */
export const LANGUAGE_FEATURES: Readonly<Record<string, string>> = {
  'direct-and-computed': `
types:
  user: {}
  doc:
    relations: {owner: [user], viewer: [user]}
    permissions: {view: viewer, can_view: view}`,
  wildcard: `
types:
  user: {}
  doc:
    relations: {viewer: [user, 'user:*'], blocked: [user, 'user:*']}
    permissions: {view: viewer - blocked}`,
  'userset-nested': `
types:${GROUPS}
  doc:
    relations: {viewer: [user, group#member], owner: [group#member]}
    permissions: {view: viewer | owner}`,
  'userset-of-permission': `
types:
  user: {}
  org:
    relations: {member_direct: [user, 'user:*'], owner: [user], parent: [org]}
    permissions: {member: member_direct | owner, admin: owner | parent->admin}
  doc:
    relations: {viewer: [user, org#member, org#admin, doc#view], org: [org]}
    permissions: {view: viewer | org->admin}`,
  operators: `
types:
  user: {}
  doc:
    relations: {a: [user], b: [user], c: [user], d: [user], e: [user]}
    permissions:
      either: a | b
      both: a & b
      but: a - b
      nested: ((a | b) & c) - (d - e)`,
  'tuple-to-userset': `
types:${GROUPS}
  folder:
    relations: {owner: [user], viewer: [user, group#member]}
    permissions: {view: owner | viewer}
  doc:
    relations: {folder: [folder], group: [group]}
    permissions: {view: folder->view, member: group->member, owner: folder->owner}`,
  'recursion-self': `
types:
  user: {}
  folder:
    relations: {parent: [folder], viewer: [user]}
    permissions: {view: viewer | parent->view}`,
  'recursion-under-exclusion': `
types:
  user: {}
  folder:
    relations: {parent: [folder], viewer: [user], blocked: [user]}
    permissions: {deep: (viewer | parent->deep) - blocked, wide: (viewer | parent->wide) & viewer}`,
  'recursion-mutual': `
types:
  user: {}
  folder:
    relations: {parent: [folder], blocked: [user], viewer: [user]}
    permissions: {b1: blocked | parent->b2, b2: b1, view: viewer - b1}`,
  'cycle-through-relations': `
types:
  user: {}
  group:
    relations: {member: [user, team#member]}
  team:
    relations: {member: [user, group#member]}
  doc:
    relations: {restricted: [user, doc#viewer, group#member], viewer_direct: [user]}
    permissions: {viewer: viewer_direct - restricted}`,
  'conditional-direct': `
types:
  user: {}
  doc:
    relations: {viewer: [user, user with not_expired], blocked: [user with not_expired]}
    permissions: {view: viewer - blocked}
conditions:${NOT_EXPIRED}`,
  'conditional-userset': `
types:
  user: {}
  group:
    relations: {member: [user, user with not_expired, group#member, group#member with not_expired]}
  doc:
    relations: {viewer: [group#member, group#member with not_expired], blocked: [group#member]}
    permissions: {view: viewer - blocked}
conditions:${NOT_EXPIRED}`,
  'conditional-wildcard': `
types:
  user: {}
  doc:
    relations: {viewer: [user, 'user:* with not_expired']}
    permissions: {view: viewer}
conditions:${NOT_EXPIRED}`,
  'conditional-tupleset': `
types:
  user: {}
  folder:
    relations: {parent: [folder, folder with not_expired], viewer: [user], blocked: [user]}
    permissions: {view: viewer | parent->view, read: view - blocked}
conditions:${NOT_EXPIRED}`,
  'tupleset-other-subjects': `
types:
  user: {}
  folder:
    relations: {parent: [folder, 'folder:*', folder#parent], viewer: [user]}
    permissions: {view: viewer | parent->view}`,
  'parameters-numbers': `
types:
  user: {}
  doc:
    relations: {viewer: [user with in_budget, user with small, user with positive]}
    permissions: {view: viewer}
conditions:
  in_budget:
    parameters: {spent: int, budget: int}
    expression: spent * 2 <= budget + 1
  small:
    parameters: {n: uint}
    expression: n != 0u && n < 3u
  positive:
    parameters: {ratio: double}
    expression: ratio > 1.0`,
  'parameters-text-and-flags': `
types:
  user: {}
  doc:
    relations: {viewer: [user with tagged, user with flagged]}
    permissions: {view: viewer}
conditions:
  tagged:
    parameters: {tag: string}
    expression: tag == "a" || tag.startsWith("b")
  flagged:
    parameters: {on: bool}
    expression: '!on'`,
  'parameters-time': `
types:
  user: {}
  doc:
    relations: {viewer: [user with in_window]}
    permissions: {view: viewer}
conditions:
  in_window:
    parameters: {now: timestamp, granted_at: timestamp, grace: duration}
    expression: now < granted_at + grace`,
  'parameters-ipaddress': `
types:
  user: {}
  doc:
    relations: {viewer: [user with in_office]}
    permissions: {view: viewer}
conditions:
  in_office:
    parameters: {ip: ipaddress}
    expression: ip.in_cidr("10.0.0.0/8")`,
  'parameters-collections': `
types:
  user: {}
  doc:
    relations: {viewer: [user with listed, user with mapped, user with anything]}
    permissions: {view: viewer}
conditions:
  listed:
    parameters: {allowed: list<string>, tag: string}
    expression: tag in allowed
  mapped:
    parameters: {levels: map<int>}
    expression: levels["read"] >= 2
  anything:
    parameters: {value: any}
    expression: value == 1`,
  'request-properties': `
types:
  user: {}
  doc:
    relations: {reader: [user with clearance], deleter: [user with soft_delete], ctx: [user with from_context]}
    permissions: {read: reader, delete: deleter, act: ctx}
conditions:
  clearance:
    parameters: {subject: map<any>, resource: map<any>}
    expression: subject.level >= resource.level
  soft_delete:
    parameters: {action: map<any>}
    expression: has(action.soft) && action.soft == true
  from_context:
    parameters: {context: map<any>}
    expression: context.region == "eu"`,
};

/** Values of the wrong type for a parameter (docs/model.md, Fail closed): one in four of a check's context values. */
const WRONG_VALUES: readonly unknown[] = ['abc', '-5', 2.5, true, { a: 1 }];

/** Random request properties: a level or none, soft or not, and the region in the context. */
function withProperties(request: CheckRequest, random: (n: number) => number): CheckRequest {
  const level = () => (random(4) === 0 ? {} : { level: random(3) });
  return {
    ...request,
    subject: { ...request.subject, properties: level() },
    resource: { ...request.resource, properties: level() },
    action: { ...request.action, properties: random(3) === 0 ? {} : { soft: random(2) === 0 } },
    context: { ...request.context, ...(random(3) === 0 ? {} : { region: random(2) ? 'eu' : 'us' }) },
  };
}

/** Replaces some parameter values by values of the wrong type. */
function withWrongTypes<T extends Record<string, unknown>>(values: T, random: (n: number) => number): T {
  const out: Record<string, unknown> = { ...values };
  for (const key of Object.keys(out)) if (random(4) === 0) out[key] = WRONG_VALUES[random(WRONG_VALUES.length)];
  return out as T;
}

export interface FeatureOutcome {
  /** The engine's reasons when it cannot express the feature's model (then nothing ran). */
  unsupported: string[];
  /** Checks where the engine and the reference disagree, or the engine erred. */
  mismatches: string[];
  checks: number;
  /** Checks the reference engine allowed (graphs that never allow would test little). */
  allowed: number;
  graphs: number;
}

/**
 * Loads the feature's model once into both engines, then `rounds` random graphs (through
 * `transform`, e.g. without cycles; written, every relation and permission of every object
 * checked for every user, deleted): the disagreements.
 */
export async function featureDifferential(
  engines: EnginePair,
  feature: string,
  seed: number,
  options: { rounds?: number; transform?: (relationships: Relationship[]) => Relationship[] } = {},
): Promise<FeatureOutcome> {
  const rounds = options.rounds ?? 6;
  const transform = options.transform ?? ((r: Relationship[]) => r);
  const m: Model = model(LANGUAGE_FEATURES[feature]!);
  const unsupported = engines.engine.unsupported(m);
  if (unsupported.length > 0) return { unsupported, mismatches: [], checks: 0, allowed: 0, graphs: 0 };
  const random = mixed(seed);
  const all: EngineAdapter[] = [engines.engine, engines.reference];
  for (const engine of all) await engine.loadModel(m);
  const mismatches: string[] = [];
  let checks = 0;
  let allowed = 0;
  for (let round = 0; round < rounds; round++) {
    // Wrong types come with checks only: OpenFGA refuses a relationship whose bound parameters have the wrong type when it is written.
    const relationships = transform(randomModelGraph(m, random, 24));
    const requests = randomModelChecks(m, random).map((r) => withProperties({ ...r, context: withWrongTypes(r.context ?? {}, random) }, random));
    for (const engine of all) await engine.write(relationships);
    const [a, b] = [await engines.engine.checkBatch(requests), await engines.reference.checkBatch(requests)];
    checks += requests.length;
    allowed += b.filter((d) => d.allowed).length;
    requests.forEach((r, i) => {
      if (a[i]!.allowed !== b[i]!.allowed || a[i]!.error) {
        mismatches.push(
          `${feature} round ${round}: ${r.subject.id} ${r.action.name} ${r.resource.type}:${r.resource.id} ${JSON.stringify({ context: r.context, subject: r.subject.properties, resource: r.resource.properties, action: r.action.properties })}: engine ${a[i]!.allowed} ${a[i]!.error ?? ''} reference ${b[i]!.allowed} (${b[i]!.reason ?? ''})`,
        );
      }
    });
    for (const engine of all) await engine.delete(relationships);
  }
  return { unsupported: [], mismatches, checks, allowed, graphs: rounds };
}

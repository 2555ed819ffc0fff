// Random relationship graphs on the folder model (see foldersYaml with a `deep` permission):
// cycles, hierarchy, nested groups, exclusion, intersection, wildcards and conditional grants.

import type { Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import { REQUEST_PARAMETERS } from '../../src/model/conditions.ts';
import type { AllowedSubject, Model } from '../../src/model/types.ts';
import type { EnginePair } from './conformance.ts';
import { rel, req } from './model.ts';

/**
 * A deterministic pseudo-random source: `random(n)` is in [0, n). Its low bits have short
 * periods (random(2) alternates), so draws of small ranges fall into fixed patterns; kept for
 * the graphs other tests replay (spicedb, cedar); new generators use `mixed`.
 */
export function lcg(seed: number): (n: number) => number {
  return (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
}

/** A deterministic pseudo-random source without lcg's patterns (mulberry32): `random(n)` is in [0, n). */
export function mixed(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  };
}

const USERS = ['u0', 'u1', 'u2', 'u3'];

/** 25 random relationships (fewer after removing repeats) over folders f0-f5, groups g0-g3 and users u0-u3. */
export function randomFolderGraph(random: (n: number) => number): Relationship[] {
  const rels = new Map<string, Relationship>();
  const add = (r: Relationship) => rels.set(`${r.resource.type}:${r.resource.id}#${r.relation}@${r.subject.type}:${r.subject.id}#${r.subject.relation ?? ''}`, r);
  for (let i = 0; i < 25; i++) {
    const f = `folder:f${random(6)}`;
    switch (random(9)) {
      case 0:
        add(rel(`group:g${random(4)}#member@user:${USERS[random(4)]}`));
        break;
      case 1:
        add(rel(`group:g${random(4)}#member@group:g${random(4)}#member`));
        break;
      case 2:
        add(rel(`${f}#parent@folder:f${random(6)}`));
        break;
      case 3:
        add(rel(`${f}#owner@user:${USERS[random(4)]}`));
        break;
      case 4:
        add(rel(`${f}#editor@user:${USERS[random(4)]}`));
        break;
      case 5:
        add(rel(`${f}#blocked@user:${USERS[random(4)]}`));
        break;
      case 6:
        add(rel(random(4) === 0 ? `${f}#viewer@user:*` : `${f}#viewer@group:g${random(4)}#member`));
        break;
      case 7:
        add(rel(`${f}#viewer@user:${USERS[random(4)]}`));
        break;
      case 8:
        add({
          ...rel(`${f}#viewer@user:${USERS[random(4)]}`),
          condition: { name: 'not_expired', parameters: { expires_at: random(2) ? '2030-01-01T00:00:00Z' : '2020-01-01T00:00:00Z' } },
        });
    }
  }
  return [...rels.values()];
}

/** The edges an engine walks through data: nested groups (`member@group#member`) and folder parents. */
function walkEdge(r: Relationship): [string, string] | undefined {
  if ((r.relation === 'member' && r.subject.relation === 'member') || r.relation === 'parent') return [`${r.resource.type}:${r.resource.id}`, `${r.subject.type}:${r.subject.id}`];
  return undefined;
}

function reaches(edges: Map<string, string[]>, from: string, to: string, seen = new Set<string>()): boolean {
  if (from === to) return true;
  if (seen.has(from)) return false;
  seen.add(from);
  return (edges.get(from) ?? []).some((next) => reaches(edges, next, to, seen));
}

/** Every relationship as an edge from its object to its subject's object (any model). */
export function objectEdge(r: Relationship): [string, string] {
  return [`${r.resource.type}:${r.resource.id}`, `${r.subject.type}:${r.subject.id}`];
}

/**
 * The graph without the relationships that close a cycle (a group inside itself, a folder its
 * own ancestor; by default over the folder model's edges), dropped in order as they appear: for
 * engines that do not support recursive data (SpiceDB), so that the differential also covers
 * every check they do decide.
 */
export function withoutCycles(relationships: Relationship[], edgeOf: (r: Relationship) => [string, string] | undefined = walkEdge): Relationship[] {
  const edges = new Map<string, string[]>();
  return relationships.filter((r) => {
    const edge = edgeOf(r);
    if (!edge) return true;
    const [from, to] = edge;
    if (reaches(edges, to, from)) return false;
    edges.set(from, [...(edges.get(from) ?? []), to]);
    return true;
  });
}

/** Whether the graph has a cycle through nested groups or folder parents. */
export function hasCycle(relationships: Relationship[]): boolean {
  return withoutCycles(relationships).length !== relationships.length;
}

/**
 * Loads `model` and `rounds` random graphs (through `transform`, e.g. withoutCycles) into both
 * engines and checks view, edit, read and deep for every user on every folder; returns the
 * disagreements (and the engine's errors).
 */
export async function randomGraphMismatches(
  label: string,
  engines: EnginePair,
  model: Model,
  seed: number,
  rounds = 15,
  transform: (relationships: Relationship[]) => Relationship[] = (r) => r,
): Promise<string[]> {
  const random = lcg(seed);
  const mismatches: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const relationships = transform(randomFolderGraph(random));
    const requests: CheckRequest[] = [];
    for (const user of USERS) {
      for (let f = 0; f < 6; f++) {
        for (const action of ['view', 'edit', 'read', 'deep']) requests.push(req(`user:${user}`, action, `folder:f${f}`, { now: '2026-01-01T00:00:00Z' }));
      }
    }
    for (const engine of [engines.engine, engines.reference]) {
      await engine.loadModel(model);
      await engine.write(relationships);
    }
    const [a, b] = [await engines.engine.checkBatch(requests), await engines.reference.checkBatch(requests)];
    requests.forEach((r, i) => {
      if (a[i]!.allowed !== b[i]!.allowed || a[i]!.error) {
        mismatches.push(`round ${round}: ${r.subject.id} ${r.action.name} ${r.resource.id}: ${label} ${a[i]!.allowed} ${a[i]!.error ?? ''} reference ${b[i]!.allowed}`);
      }
    });
  }
  return mismatches;
}

// ---------------------------------------------------------------------------------------
// Random graphs for any model: every relation gets relationships of every subject kind it
// allows (objects, wildcards, usersets, including usersets of permissions, conditional grants
// with some parameters bound, some left to the check's context, some missing), over a few ids
// per type so that cycles (within one relation and through several) are common.

/**
 * A model that uses every feature of the neutral language: nested usersets across two types,
 * usersets of a permission (a cycle through an exclusion), wildcards, conditions on direct
 * grants, usersets and tuplesets (timestamps, ipaddress), union, intersection, exclusion (also
 * nested on the subtracted side), tuple-to-userset to a permission of another type, recursion
 * through one relation and through two.
 */
export const FULL_LANGUAGE_YAML = `
types:
  user: {}
  group:
    relations:
      member: [user, user:*, group#member, team#member with in_office]
  team:
    relations:
      member: [user, group#member]
  folder:
    relations:
      parent: [folder, folder with not_expired]
      owner: [user, group#member]
      blocked: [user, group#member, user with not_expired]
      viewer: [user, user:*, group#member, user with not_expired, folder#view]
    permissions:
      view: owner | viewer | parent->view
      read: view - blocked
      edit: owner & (viewer | parent->edit)
  doc:
    relations:
      folder: [folder]
      restricted: [user, doc#reader]
      reader_direct: [user, team#member, user with in_office]
    permissions:
      reader: (reader_direct | folder->view) - restricted
      commenter: reader & folder->edit
      outsider: folder->view - (reader_direct - restricted)
conditions:
  not_expired:
    parameters: {now: timestamp, expires_at: timestamp}
    expression: now < expires_at
  in_office:
    parameters: {ip: ipaddress}
    expression: ip.in_cidr("10.0.0.0/8")
`;

/**
 * Every feature again, in the forms an engine that resolves memberships by lookup (Cerbos) can
 * take: nested groups within one relation, a userset naming a permission that is a union of
 * relations over users, wildcards, conditions (timestamps, uint, ipaddress) on direct grants,
 * union, intersection, exclusion nested on both sides, self-recursive tuple-to-userset, and a
 * tuple-to-userset to another type's permission.
 */
export const LOOKUP_LANGUAGE_YAML = `
types:
  user: {}
  group:
    relations:
      member: [user, user:*, group#member]
  org:
    relations:
      member_direct: [user, user:*]
      owner: [user]
      quota: [user with under_quota]
    permissions:
      member: member_direct | owner
  folder:
    relations:
      org: [org]
      parent: [folder]
      owner: [user, group#member, org#member]
      blocked: [user, group#member, user with not_expired]
      viewer: [user, user:*, group#member, user with not_expired, user with in_office]
    permissions:
      view: owner | viewer | parent->view
      read: view - blocked
      edit: owner & (viewer | org->member)
      audit: (view & org->quota) - (blocked - owner)
conditions:
  not_expired:
    parameters: {now: timestamp, expires_at: timestamp}
    expression: now < expires_at
  in_office:
    parameters: {ip: ipaddress}
    expression: ip.in_cidr("10.0.0.0/8")
  under_quota:
    parameters: {used: uint, limit: uint}
    expression: used < limit && limit != 0u
`;

const IDS = ['a', 'b', 'c'];
const GRAPH_USERS = ['u0', 'u1', 'u2'];

/** Sample values by parameter type: each type has values that make typical conditions true and false. */
const SAMPLE_VALUES: Record<string, unknown[]> = {
  timestamp: ['2020-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z'],
  duration: ['0s', '1h'],
  ipaddress: ['10.1.2.3', '192.168.0.1'],
  int: [0, 1, 5],
  uint: [0, 1, 5],
  double: [0.5, 2.5],
  string: ['a', 'b', 'bc'],
  bool: [true, false],
  list: [['a'], ['a', 'b'], []],
  map: [{ read: 1 }, { read: 3 }, {}],
  any: [1, 'x', 2.5],
};

/** Parameter values: each parameter with a sample value, or absent (`absentOneIn`: 1 in n). */
function randomParameters(model: Model, condition: string, random: (n: number) => number, absentOneIn: number): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, type] of model.conditions.get(condition)?.parameters ?? []) {
    const samples = SAMPLE_VALUES[type.kind];
    if (!samples || (REQUEST_PARAMETERS as readonly string[]).includes(name) || random(absentOneIn) === 0) continue;
    values[name] = samples[random(samples.length)];
  }
  return values;
}

/** `count` random relationships (fewer after repeats) that the model admits, over ids a-c and users u0-u2. */
export function randomModelGraph(model: Model, random: (n: number) => number, count = 30): Relationship[] {
  const slots: { type: string; relation: string; allowed: AllowedSubject }[] = [];
  for (const type of model.types.values()) {
    for (const relation of type.relations.values()) for (const allowed of relation.allowed) slots.push({ type: type.name, relation: relation.name, allowed });
  }
  const rels = new Map<string, Relationship>();
  for (let i = 0; i < count && slots.length > 0; i++) {
    const { type, relation, allowed } = slots[random(slots.length)]!;
    const subjectId = allowed.type === 'user' ? GRAPH_USERS[random(GRAPH_USERS.length)]! : IDS[random(IDS.length)]!;
    const r: Relationship = {
      resource: { type, id: IDS[random(IDS.length)]! },
      relation,
      subject: { type: allowed.type, id: allowed.wildcard ? '*' : subjectId, ...(allowed.relation ? { relation: allowed.relation } : {}) },
      // Bound parameters: each one half the time, the rest from the check's context (or missing).
      ...(allowed.condition ? { condition: { name: allowed.condition, parameters: randomParameters(model, allowed.condition, random, 2) } } : {}),
    };
    rels.set(`${r.resource.type}:${r.resource.id}#${r.relation}@${r.subject.type}:${r.subject.id}#${r.subject.relation ?? ''}`, r);
  }
  return [...rels.values()];
}

/** Every relation and permission of every object (ids a-c) for every user, each with a random context (a parameter missing 1 in 4). */
export function randomModelChecks(model: Model, random: (n: number) => number): CheckRequest[] {
  const requests: CheckRequest[] = [];
  for (const type of model.types.values()) {
    const names = [...type.relations.keys(), ...type.permissions.keys()];
    for (const id of IDS) {
      for (const name of names) {
        for (const user of GRAPH_USERS) {
          const context: Record<string, unknown> = {};
          for (const condition of model.conditions.keys()) Object.assign(context, randomParameters(model, condition, random, 4));
          requests.push(req(`user:${user}`, name, `${type.name}:${id}`, context));
        }
      }
    }
  }
  return requests;
}

/**
 * Loads `model` and `rounds` random graphs of it into both engines and checks every relation
 * and permission of every object for every user; returns the disagreements (and the engine's
 * errors). An engine that cannot express the model answers with its unsupported reasons.
 */
export async function randomModelMismatches(
  label: string,
  engines: EnginePair,
  model: Model,
  seed: number,
  rounds = 10,
): Promise<{ unsupported: string[]; mismatches: string[]; checks: number }> {
  const unsupported = engines.engine.unsupported(model);
  if (unsupported.length > 0) return { unsupported, mismatches: [], checks: 0 };
  const random = lcg(seed);
  const mismatches: string[] = [];
  let checks = 0;
  for (let round = 0; round < rounds; round++) {
    const relationships = randomModelGraph(model, random);
    const requests = randomModelChecks(model, random);
    for (const engine of [engines.engine, engines.reference]) {
      await engine.loadModel(model);
      await engine.write(relationships);
    }
    const [a, b] = [await engines.engine.checkBatch(requests), await engines.reference.checkBatch(requests)];
    checks += requests.length;
    requests.forEach((r, i) => {
      if (a[i]!.allowed !== b[i]!.allowed || a[i]!.error) {
        mismatches.push(
          `round ${round}: ${r.subject.id} ${r.action.name} ${r.resource.type}:${r.resource.id} ${JSON.stringify(r.context)}: ${label} ${a[i]!.allowed} ${a[i]!.error ?? ''} reference ${b[i]!.allowed} (${b[i]!.reason ?? ''})`,
        );
      }
    });
  }
  return { unsupported: [], mismatches, checks };
}

// The group index (src/reference/group-index.ts) against the walk it replaces: two reference
// engines, index on and off, get the same random writes and deletes and must give the same
// decision (allowed, error, reason, chain) to every check after each change, and the same
// searches. Models where the index applies (nested groups, wildcard members, cycles, nesting
// deeper than a small depth limit) and where it must not (a conditioned membership, a second
// userset type, a foreign userset written without validation).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRelationship, type Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import type { SearchQuery } from '../../src/core/search.ts';
import type { Model } from '../../src/model/types.ts';
import { BudgetExceededError } from '../../src/reference/budget.ts';
import { ReferenceEngine, type ReferenceOptions } from '../../src/reference/engine.ts';
import { Evaluator } from '../../src/reference/evaluate.ts';
import { model, NOT_EXPIRED_YAML, rel } from '../helpers/model.ts';

const USERS = ['u0', 'u1', 'u2'];
const GROUPS = ['g0', 'g1', 'g2', 'g3', 'g4'];
const TEAMS = ['t0', 't1'];
const FOLDERS = ['f0', 'f1', 'f2'];

/** The folder types every model shares; `member` is the group relation the index is about. */
const folderYaml = (shared: string) => `  folder:
    relations:
      parent: [folder]
      viewer: [user, ${shared}]
      blocked: [user, group#member]
    permissions:
      view: viewer | parent->view
      read: view - blocked
      both: viewer & parent->view
`;

interface Case {
  name: string;
  model: Model;
  /** Relationship texts the random changes draw from. */
  pool: string[];
  options?: ReferenceOptions;
}

const nesting = GROUPS.flatMap((g) => GROUPS.map((h) => `group:${g}#member@group:${h}#member`));
const memberships = GROUPS.flatMap((g) => USERS.map((u) => `group:${g}#member@user:${u}`));
const shares = FOLDERS.flatMap((f) => [
  ...GROUPS.map((g) => `folder:${f}#viewer@group:${g}#member`),
  `folder:${f}#viewer@user:u0`,
  `folder:${f}#blocked@group:${GROUPS[(f.charCodeAt(1) - 48) % GROUPS.length]}#member`,
]);
const parents = ['folder:f1#parent@folder:f0', 'folder:f2#parent@folder:f1', 'folder:f0#parent@folder:f2'];

const CASES: Case[] = [
  {
    name: 'nested groups, wildcard members, cycles',
    model: model(`types:\n  user: {}\n  group:\n    relations:\n      member: [user, 'user:*', group#member]\n${folderYaml('group#member')}`),
    pool: [...nesting, ...memberships, ...shares, ...parents, 'group:g2#member@user:*'],
  },
  {
    name: 'nesting deeper than a small depth limit',
    model: model(`types:\n  user: {}\n  group:\n    relations:\n      member: [user, group#member]\n${folderYaml('group#member')}`),
    pool: [...nesting, ...memberships, ...shares, ...parents],
    options: { maxDepth: 4 },
  },
  {
    name: 'a conditioned membership',
    model: model(`types:\n  user: {}\n  group:\n    relations:\n      member: [user, user with not_expired, group#member]\n${folderYaml('group#member')}${NOT_EXPIRED_YAML}`),
    pool: [...nesting, ...memberships, ...shares, 'group:g1#member@user:u1[not_expired]', 'group:g3#member@user:u2[not_expired]'],
  },
  {
    name: 'a second userset type',
    model: model(
      `types:\n  user: {}\n  team:\n    relations:\n      member: [user, team#member]\n  group:\n    relations:\n      member: [user, group#member, team#member]\n${folderYaml('group#member, team#member')}`,
    ),
    pool: [
      ...nesting,
      ...memberships,
      ...shares,
      ...TEAMS.flatMap((t) => [...USERS.map((u) => `team:${t}#member@user:${u}`), ...GROUPS.map((g) => `group:${g}#member@team:${t}#member`), `folder:f0#viewer@team:${t}#member`]),
      'team:t0#member@team:t1#member',
      'team:t1#member@team:t0#member',
    ],
  },
  {
    name: 'a foreign userset written without validation',
    model: model(`types:\n  user: {}\n  group:\n    relations:\n      member: [user, group#member]\n${folderYaml('group#member')}`),
    pool: [...nesting, ...memberships, ...shares, ...parents, 'group:g1#member@folder:f2#viewer', 'group:g4#member@folder:f0#view'],
    options: { validateWrites: false },
  },
];

const CHECKS: CheckRequest[] = [];
for (const subject of [...USERS, 'nobody'])
  for (const f of FOLDERS)
    for (const action of ['view', 'read', 'both', 'viewer']) CHECKS.push({ subject: { type: 'user', id: subject }, action: { name: action }, resource: { type: 'folder', id: f } });
for (const u of USERS) for (const g of GROUPS) CHECKS.push({ subject: { type: 'user', id: u }, action: { name: 'member' }, resource: { type: 'group', id: g } });
for (const g of GROUPS) CHECKS.push({ subject: { type: 'group', id: g }, action: { name: 'member' }, resource: { type: 'group', id: 'g0' } });

const SEARCHES: SearchQuery[] = [
  { kind: 'resources', subject: { type: 'user', id: 'u1' }, action: { name: 'view' }, resourceType: 'folder' },
  { kind: 'resources', subject: { type: 'user', id: 'u2' }, action: { name: 'member' }, resourceType: 'group' },
  { kind: 'subjects', resource: { type: 'folder', id: 'f1' }, action: { name: 'read' }, subjectType: 'user' },
  { kind: 'subjects', resource: { type: 'group', id: 'g0' }, action: { name: 'member' }, subjectType: 'user' },
];

/** Every answer of an engine now: each check's decision (without its log id) and each search's result. */
function answers(engine: ReferenceEngine): unknown[] {
  const out: unknown[] = CHECKS.map((request) => {
    const decision = engine.check(request);
    return {
      request: `${request.resource.type}:${request.resource.id}#${request.action.name}@${request.subject.id}`,
      allowed: decision.allowed,
      error: decision.error,
      reason: decision.reason,
      chain: decision.chain.map(formatRelationship),
    };
  });
  for (const query of SEARCHES) out.push({ query, found: engine.search(query) });
  return out;
}

const parse = (texts: string[]): Relationship[] =>
  texts.map((text) => {
    const condition = text.endsWith('[not_expired]');
    const r = rel(condition ? text.slice(0, -'[not_expired]'.length) : text);
    return condition ? { ...r, condition: { name: 'not_expired', parameters: { expires_at: '2000-01-01T00:00:00Z' } } } : r;
  });

/** A change: write or delete some of the pool's relationships. */
const change = (pool: string[]) => fc.record({ write: fc.boolean(), texts: fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 8 }) });

describe('the group index gives the answers of the walk it replaces', () => {
  for (const c of CASES) {
    it(`${c.name}: index on and off agree after every random write and delete`, () => {
      fc.assert(
        fc.property(fc.array(change(c.pool), { minLength: 1, maxLength: 8 }), (changes) => {
          const on = new ReferenceEngine(c.model, { decisionLog: false, ...c.options });
          const off = new ReferenceEngine(c.model, { decisionLog: false, ...c.options, groupIndex: false });
          for (const { write, texts } of changes) {
            for (const engine of [on, off]) write ? engine.write(parse(texts)) : engine.delete(parse(texts));
            expect(answers(on), `after ${write ? 'writing' : 'deleting'} ${texts.join(', ')}`).toEqual(answers(off));
          }
        }),
        { numRuns: 60 },
      );
    });
  }

  // A chain of five nested groups costs the walk a step each; the index answers it in none. With
  // a budget of four steps, the check passes when the index answers and runs out when it walks.
  const GROUP_CHAIN = ['folder:f0#viewer@group:g0#member', ...GROUPS.slice(1).map((g, i) => `group:${GROUPS[i]}#member@group:${g}#member`), 'group:g4#member@user:u1'];
  const indexed = (c: Case, extra: string[], groupIndex = true): boolean => {
    const engine = new ReferenceEngine(c.model, { decisionLog: false, ...c.options });
    engine.write(parse([...GROUP_CHAIN, ...extra]));
    const evaluator = new Evaluator({ model: c.model, store: engine.store, conditions: new Map(), limits: { maxSteps: 4 }, groupIndex, ...c.options });
    try {
      return evaluator.check({ subject: { type: 'user', id: 'u1' }, action: { name: 'view' }, resource: { type: 'folder', id: 'f0' } }).allowed;
    } catch (error) {
      if (error instanceof BudgetExceededError) return false;
      throw error;
    }
  };
  const [nested, deep, conditioned, teams, foreign] = CASES as [Case, Case, Case, Case, Case];

  it('answers nested groups without walking them where it applies, wildcard members included', () => {
    expect(indexed(nested, [])).toBe(true);
    expect(indexed(nested, [], false)).toBe(false);
    expect(indexed(nested, ['group:g2#member@user:*', 'group:g1#member@user:u2'])).toBe(true);
    expect(indexed(conditioned, ['group:g1#member@user:u2'])).toBe(true);
  });

  it('walks where the index does not apply: conditions, a second userset type, foreign usersets, cycles, too deep', () => {
    expect(indexed(conditioned, ['group:g1#member@user:u2[not_expired]'])).toBe(false);
    expect(indexed(teams, [])).toBe(false);
    expect(indexed(foreign, ['group:g1#member@folder:f2#viewer'])).toBe(false);
    expect(indexed(nested, ['group:g4#member@group:g1#member'])).toBe(false);
    expect(indexed(deep, [])).toBe(false);
  });

  it('a nested group written or deleted after a check changes the next check', () => {
    const engine = new ReferenceEngine(nested.model, { decisionLog: false });
    const request: CheckRequest = { subject: { type: 'user', id: 'u1' }, action: { name: 'view' }, resource: { type: 'folder', id: 'f0' } };
    engine.write(parse(GROUP_CHAIN));
    expect(engine.check(request).allowed).toBe(true);
    engine.delete(parse(['group:g2#member@group:g3#member']));
    expect(engine.check(request).allowed).toBe(false);
    // Written to the store directly, not through the engine: the next check rebuilds the index itself.
    engine.store.write(rel('group:g2#member@group:g3#member'));
    expect(engine.check(request).chain.map(formatRelationship)).toEqual(GROUP_CHAIN);
  });

  it('a subject in more relationships than the evaluator lists walks as before, with the same answers', () => {
    const groups = model(`types:\n  user: {}\n  group:\n    relations:\n      member: [user, group#member]\n${folderYaml('group#member')}`);
    const many = Array.from({ length: 40 }, (_, i) => `group:x${i}#member@user:u0`);
    const texts = [...many, 'group:g0#member@group:x39#member', 'folder:f0#viewer@group:g0#member', 'group:g1#member@group:g0#member', 'folder:f1#viewer@group:g1#member'];
    const on = new ReferenceEngine(groups, { decisionLog: false });
    const off = new ReferenceEngine(groups, { decisionLog: false, groupIndex: false });
    for (const engine of [on, off]) engine.write(parse(texts));
    expect(on.check({ subject: { type: 'user', id: 'u0' }, action: { name: 'view' }, resource: { type: 'folder', id: 'f1' } }).allowed).toBe(true);
    expect(answers(on)).toEqual(answers(off));
  });
});

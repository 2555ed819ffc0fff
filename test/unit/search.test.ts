// Search steps: the loader's located errors, the verdicts (missing, extra, truncated,
// unsupported), the reference engine's exact answers, and the search by checks of engines
// without a search (src/core/search.ts) with its subject rule across a wildcard.

import { describe, expect, it } from 'vitest';
import type { CheckRequest } from '../../src/core/request.ts';
import { actionsByType, listSubjects, NATIVE_MODE_SEARCH, type SearchQuery, searchByChecks, toCheckByName } from '../../src/core/search.ts';
import { ReferenceEngine } from '../../src/reference/engine.ts';
import { judgeSearch } from '../../src/runner/search.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { scenarioWarnings } from '../../src/scenario/warnings.ts';
import type { SearchStep } from '../../src/scenario/types.ts';
import { model, rel } from '../helpers/model.ts';

const MODEL = `
  types:
    user: {}
    group:
      relations: {member: [user, group#member]}
    folder:
      relations: {parent: [folder], viewer: [user, group#member, user:*]}
      permissions: {view: viewer | parent->view}
`;
const scenario = (steps: string) => `
id: s
title: s
model:${MODEL}
relationships: [folder:a#viewer@user:anne]
steps:
${steps}`;

describe('search steps in scenario files', () => {
  it('loads the three searches', async () => {
    const s = await loadScenarioText(
      scenario(`  - searchResources: {subject: user:anne, action: view, resource: {type: folder}}
    expect: [a]
  - searchSubjects: {subject: {type: user}, action: view, resource: folder:a}
    expect: [anne]
  - searchActions: {subject: user:anne, resource: folder:a}
    expect: [view, viewer]`),
      's.yaml',
    );
    expect(s.steps.map((st) => (st as SearchStep).query.kind)).toEqual(['resources', 'subjects', 'actions']);
  });

  it.each([
    ['  - searchResources: {subject: user:anne, action: view, resource: {type: nope}}\n    expect: []', /searchResources.resource.*unknown type 'nope'/],
    ['  - searchResources: {subject: user:anne, action: edit, resource: {type: folder}}\n    expect: []', /'folder' has no relation or permission 'edit'/],
    ['  - searchResources: {subject: user:anne, action: view, resource: folder:a}\n    expect: []', /expected \{type: <type>\}|steps\[0\]/],
    ['  - searchSubjects: {subject: {type: user}, action: view, resource: folder:a}\n    expect: allow', /expect.*(expected the complete list of ids|must be array|oneOf)/],
    ['  - check: {subject: user:anne, action: view, resource: folder:a}\n    expect: [a]', /steps\[0\]\.expect/],
    ['  - searchSubjects: {subject: {type: user}, action: view, resource: folder:a}\n    expect: anne', /steps\[0\]\.expect.*expected the complete list of ids/],
    ['  - searchActions: {subject: user:anne, resource: folder:a}\n    expect: [view, bogus]', /steps\[0\]\.expect.*'folder' has no relation or permission 'bogus'/],
  ])('refuses a bad search step with its place: %#', async (steps, message) => {
    await expect(loadScenarioText(scenario(steps), 's.yaml')).rejects.toThrow(message);
  });

  it("counts a search's context as supplying a condition parameter (no warning)", async () => {
    const s = await loadScenarioText(
      `
id: s
title: s
model:
  types:
    user: {}
    doc:
      relations: {temp: [user with fresh]}
  conditions:
    fresh: {parameters: {now: timestamp, until: timestamp}, expression: now < until}
relationships:
  - {resource: doc:1, relation: temp, subject: user:dan, condition: {name: fresh, parameters: {until: "2030-01-01T00:00:00Z"}}}
steps:
  - searchResources: {subject: user:dan, action: temp, resource: {type: doc}, context: {now: "2025-01-01T00:00:00Z"}}
    expect: ["1"]`,
      's.yaml',
    );
    expect(scenarioWarnings(s)).toEqual([]);
  });
});

describe('search verdicts', () => {
  const step: SearchStep = {
    index: 0,
    kind: 'search',
    query: { kind: 'resources', subject: { type: 'user', id: 'anne' }, action: { name: 'view' }, resourceType: 'folder' },
    expect: ['a', 'b', 'c'],
  };
  it('passes a complete answer in any order', () => {
    expect(judgeSearch(step, { ids: ['c', 'a', 'b'], method: 'm' })).toMatchObject({ status: 'pass', actual: '[a, b, c]' });
  });
  it('fails and lists missing and extra ids', () => {
    const v = judgeSearch(step, { ids: ['a', 'x'], method: 'm' });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('missing 2: [b, c]');
    expect(v.message).toContain('extra 1: [x]');
  });
  it('never passes a truncated answer, even a complete-looking one', () => {
    const v = judgeSearch(step, { ids: ['a', 'b', 'c'], method: 'm', truncated: 'a limit of 3' });
    expect(v).toMatchObject({ status: 'fail', message: expect.stringContaining('truncated: 3 of 3 (a limit of 3)') });
  });
  it('reports an engine without that search as unsupported, and an error as an error', () => {
    expect(judgeSearch(step, { unsupported: 'no search' })).toMatchObject({ status: 'unsupported', message: 'no search' });
    expect(judgeSearch(step, { error: 'boom' })).toMatchObject({ status: 'error', message: 'boom' });
  });
});

describe('reference engine search (the oracle)', () => {
  const engine = new ReferenceEngine(model(MODEL));
  engine.write(
    [
      'group:eng#member@user:bob',
      'group:all#member@group:eng#member',
      'folder:root#viewer@group:all#member',
      'folder:a#parent@folder:root',
      'folder:b#viewer@user:anne',
      'folder:pub#viewer@user:*',
    ].map(rel),
  );
  it('resources: through nested groups and parents; wildcards included', () => {
    expect(engine.search({ kind: 'resources', subject: { type: 'user', id: 'bob' }, action: { name: 'view' }, resourceType: 'folder' })).toEqual(['a', 'pub', 'root']);
    expect(engine.search({ kind: 'resources', subject: { type: 'user', id: 'zed' }, action: { name: 'view' }, resourceType: 'folder' })).toEqual(['pub']);
  });
  it("subjects: the users the resource's relationships reach; `*` alone for a wildcard grant (as OpenFGA ListUsers)", () => {
    expect(engine.search({ kind: 'subjects', resource: { type: 'folder', id: 'a' }, action: { name: 'view' }, subjectType: 'user' })).toEqual(['bob']);
    expect(engine.search({ kind: 'subjects', resource: { type: 'folder', id: 'pub' }, action: { name: 'view' }, subjectType: 'user' })).toEqual(['*']);
  });
  // As OpenFGA (ListUsers), OPA and Cerbos (test/engines/search.test.ts): a subject that another
  // relation names (dora, blocked) is not listed when only the wildcard grants her `view`.
  it('subjects: a subject granted only through a wildcard is not listed, even when another relation names it', () => {
    const oracle = new ReferenceEngine(
      model(`
  types:
    user: {}
    folder:
      relations: {viewer: [user, user:*], blocked: [user]}
      permissions: {view: viewer}
`),
    );
    oracle.write(['folder:lobby#viewer@user:*', 'folder:lobby#blocked@user:dora'].map(rel));
    expect(oracle.search({ kind: 'subjects', resource: { type: 'folder', id: 'lobby' }, action: { name: 'view' }, subjectType: 'user' })).toEqual(['*']);
  });
  it('subjects: listed by name beside `*` when granted by name too; through an intersection with a wildcard, the named side decides', () => {
    const oracle = new ReferenceEngine(
      model(`
  types:
    user: {}
    folder:
      relations: {viewer: [user, user:*], member: [user], blocked: [user, user:*]}
      permissions: {view: viewer, both: viewer & member, open: viewer - blocked}
`),
    );
    oracle.write(['folder:f#viewer@user:*', 'folder:f#viewer@user:ann', 'folder:f#member@user:bo', 'folder:f#blocked@user:ann'].map(rel));
    const subjects = (name: string) => oracle.search({ kind: 'subjects', resource: { type: 'folder', id: 'f' }, action: { name }, subjectType: 'user' });
    expect(subjects('view')).toEqual(['*', 'ann']);
    expect(subjects('both')).toEqual(['bo']);
    expect(subjects('open')).toEqual(['*']);
  });
  // A userset may name a permission of its type (`group#member` with `member: direct | owner`):
  // the walk up from the subject must follow such usersets too, or the oracle misses the resource.
  it('resources: through a userset that names a permission, not only a relation', () => {
    const oracle = new ReferenceEngine(
      model(`
  types:
    user: {}
    group:
      relations: {direct: [user], owner: [user]}
      permissions: {member: direct | owner}
    doc:
      relations: {viewer: [group#member]}
      permissions: {view: viewer}
`),
    );
    oracle.write(['group:eng#direct@user:anne', 'group:ops#owner@user:bob', 'doc:1#viewer@group:eng#member', 'doc:2#viewer@group:ops#member'].map(rel));
    const resources = (id: string) => oracle.search({ kind: 'resources', subject: { type: 'user', id }, action: { name: 'view' }, resourceType: 'doc' });
    expect(resources('anne')).toEqual(['1']);
    expect(resources('bob')).toEqual(['2']);
    expect(oracle.search({ kind: 'subjects', resource: { type: 'doc', id: '1' }, action: { name: 'view' }, subjectType: 'user' })).toEqual(['anne']);
  });
  it('actions: every relation and permission held', () => {
    expect(engine.search({ kind: 'actions', subject: { type: 'user', id: 'anne' }, resource: { type: 'folder', id: 'b' } })).toEqual(['view', 'viewer']);
    expect(engine.search({ kind: 'actions', subject: { type: 'user', id: 'anne' }, resource: { type: 'folder', id: 'root' } })).toEqual([]);
  });
});

describe('search steps: more refusals, and long lists kept short', () => {
  it.each([
    ['  - searchResources: {subject: user:anne, action: view, resource: {type: folder}}\n    expect: [a, a]', /ids listed twice: a/],
    ['  - searchResources: {subject: "user:*", action: view, resource: {type: folder}}\n    expect: []', /a wildcard subject searches for nothing in particular/],
    [
      '  - searchResources: {subject: user:anne, action: view, resource: {type: folder}}\n    expect: [a, "folder:b"]',
      /'folder:b' names the type: the answer of a folder search is ids \(fix: write 'b'\)/,
    ],
    ['  - searchSubjects: {subject: {type: user}, action: view, resource: folder:a}\n    expect: ["user:anne"]', /'user:anne' names the type.*write 'anne'/],
  ])('refuses %#', async (steps, message) => {
    await expect(loadScenarioText(scenario(steps), 's.yaml')).rejects.toThrow(message);
  });

  it('lists at most 50 ids of a long answer in the case, with a count of the rest', () => {
    const many = Array.from({ length: 200_000 }, (_, i) => `d${i}`);
    const step: SearchStep = { index: 0, kind: 'search', query: { kind: 'resources', subject: { type: 'user', id: 'anne' }, action: { name: 'view' }, resourceType: 'doc' }, expect: many };
    const v = judgeSearch(step, { ids: many.slice(0, 10), method: 'm' });
    expect(v.expected!.length).toBeLessThan(1000);
    expect(v.expected).toMatch(/… and 199950 more\]$/);
    expect(v.message).toMatch(/missing 199990: \[.*\] …/);
  });
});

describe('the subject-search rule across a wildcard (src/core/search.ts)', () => {
  it('without `*` granted, every granted subject; with it, `*` and those granted by name too', () => {
    expect(listSubjects(new Set(['ann', 'bo']), new Set())).toEqual(['ann', 'bo']);
    expect(toCheckByName(new Set(['ann', 'bo']))).toEqual([]);
    expect(toCheckByName(new Set(['ann', '*', 'bo']))).toEqual(['ann', 'bo']);
    expect(listSubjects(new Set(['ann', '*', 'bo']), new Set(['bo']))).toEqual(['*', 'bo']);
  });

  // The engine searched by checks is the reference engine; "by name" is the same relationships
  // without the wildcard ones, which is what ignoring the wildcard means.
  const WILDCARD_MODEL = model(`
  types:
    user: {}
    folder:
      relations: {viewer: [user, user:*], member: [user], blocked: [user]}
      permissions: {view: viewer, both: viewer & member, open: viewer - blocked}
`);
  const relationships = ['folder:f#viewer@user:*', 'folder:f#viewer@user:ann', 'folder:f#member@user:bo', 'folder:f#blocked@user:cy', 'folder:g#viewer@user:bo'].map(rel);
  const engine = new ReferenceEngine(WILDCARD_MODEL);
  engine.write(relationships);
  const byName = new ReferenceEngine(WILDCARD_MODEL);
  byName.write(relationships.filter((r) => r.subject.id !== '*'));
  const search = (query: SearchQuery, askedByName: string[] = []) =>
    searchByChecks(query, {
      engine: 'reference',
      actions: actionsByType(WILDCARD_MODEL),
      relationships: () => relationships,
      checkBatch: async (requests) => requests.map((r) => engine.check(r)),
      checkBatchByName: async (requests: CheckRequest[]) => {
        askedByName.push(...requests.map((r) => r.subject.id));
        return requests.map((r) => byName.check(r));
      },
    });

  it.each(['view', 'both', 'open'])('subjects by checks answer as the reference engine: %s', async (name) => {
    const query: SearchQuery = { kind: 'subjects', resource: { type: 'folder', id: 'f' }, action: { name }, subjectType: 'user' };
    const answer = await search(query);
    expect('ids' in answer ? [...answer.ids].sort() : answer).toEqual(engine.search(query));
  });

  it('checks by name only the granted named subjects, only where `*` is granted, and says how many', async () => {
    const asked: string[] = [];
    const answer = await search({ kind: 'subjects', resource: { type: 'folder', id: 'f' }, action: { name: 'view' }, subjectType: 'user' }, asked);
    expect(asked.sort()).toEqual(['ann', 'bo', 'cy']);
    expect(answer).toMatchObject({ ids: ['*', 'ann'], method: expect.stringContaining('(4, and 3 again with the wildcard ignored;'), engineMs: expect.any(Number) });
    const none: string[] = [];
    expect(await search({ kind: 'subjects', resource: { type: 'folder', id: 'g' }, action: { name: 'view' }, subjectType: 'user' }, none)).toMatchObject({ ids: ['bo'] });
    expect(none).toEqual([]);
  });

  it('resources leave `*` out; an engine error is the answer; native mode (no actions) is unsupported', async () => {
    expect(await search({ kind: 'resources', subject: { type: 'user', id: 'bo' }, action: { name: 'view' }, resourceType: 'folder' })).toMatchObject({ ids: ['f', 'g'] });
    expect(await search({ kind: 'subjects', resource: { type: 'folder', id: 'f' }, action: { name: 'nope' }, subjectType: 'user' })).toEqual({
      error: "'nope' is not a relation or permission of type 'folder'",
    });
    const query: SearchQuery = { kind: 'actions', subject: { type: 'user', id: 'ann' }, resource: { type: 'folder', id: 'f' } };
    expect(await searchByChecks(query, { engine: 'x', actions: undefined, relationships: () => [], checkBatch: async () => [], checkBatchByName: async () => [] })).toEqual({
      unsupported: NATIVE_MODE_SEARCH,
    });
    expect(await search(query)).toMatchObject({ ids: ['viewer', 'view', 'open'] });
  });
});

// Builds scenarios/conformance/authzen-todo.yaml from the AuthZEN interop "Todo" suite in
// ../shared/conformance/authzen-todo/ (MIT, notice in authzen-todo.LICENSE). Run once:
//   npx tsx scenarios/conformance/build-authzen-todo.ts
// Requests are copied exactly (properties included). The Todo policy is modelled with
// relationships: roles as role:<name>#member@user:<PID>, per-todo role and owner tuples, and
// the 43 expected decisions are the suite's own. Before writing, the script evaluates the
// relationships by the model's permission formulas (a few lines of set logic, written from
// the policy facts in shared/README.md) and stops if any decision disagrees with the suite.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = path.resolve(here, '../../../shared/conformance/authzen-todo');
const out = path.join(here, 'authzen-todo.yaml');

interface Entity {
  type: string;
  id: string;
  properties?: Record<string, unknown>;
}
interface Request {
  subject: Entity;
  action: { name: string };
  resource: Entity;
  context?: unknown;
}
interface Single {
  request: Request;
  expected: boolean;
}
interface Batch {
  request: { subject: Entity; action: { name: string }; evaluations: Partial<Request>[] };
  expected: { decision: boolean }[];
}

const decisions = JSON.parse(readFileSync(path.join(shared, 'decisions.json'), 'utf8')) as { evaluation: Single[]; evaluations: Batch[] };
const subjects = (JSON.parse(readFileSync(path.join(shared, 'subjects.json'), 'utf8')) as { subjects: Record<string, { id: string; email: string; roles: string[] }> }).subjects;

const pidByEmail = new Map(Object.entries(subjects).map(([pid, s]) => [s.email, pid]));

// Every resource the suite asks about, with the owner its properties name.
const todos = new Map<string, string | undefined>();
const users = new Set<string>();
const allRequests: Request[] = [
  ...decisions.evaluation.map((d) => d.request),
  ...decisions.evaluations.flatMap((b) => b.request.evaluations.map((e) => ({ subject: b.request.subject, action: b.request.action, ...e }) as Request)),
];
for (const r of allRequests) {
  if (r.resource.type === 'user') users.add(r.resource.id);
  if (r.resource.type === 'todo') {
    const owner = r.resource.properties?.ownerID as string | undefined;
    const known = todos.get(r.resource.id);
    if (known && owner && known !== owner) throw new Error(`todo ${r.resource.id} has two owners: ${known}, ${owner}`);
    todos.set(r.resource.id, owner ?? known);
  }
}

const relationships: (string | { resource: string; relation: string; subject: string })[] = [];
for (const [pid, s] of Object.entries(subjects)) for (const role of s.roles) relationships.push(`role:${role}#member@user:${pid}`);
for (const [id, ownerEmail] of todos) {
  relationships.push(`todo:${id}#admin@role:admin#member`, `todo:${id}#editor@role:editor#member`, `todo:${id}#evil_genius@role:evil_genius#member`, `todo:${id}#reader@user:*`);
  if (ownerEmail) {
    const pid = pidByEmail.get(ownerEmail);
    if (!pid) throw new Error(`owner ${ownerEmail} of todo ${id} is not in subjects.json`);
    relationships.push(`todo:${id}#owner@user:${pid}`);
  }
}
// User ids are emails, which contain '@': the object form avoids the compact form's '@'.
for (const email of users) relationships.push({ resource: `user:${email}`, relation: 'reader', subject: 'user:*' });

const model = {
  types: {
    user: { relations: { reader: ['user:*'] }, permissions: { can_read_user: 'reader' } },
    role: { relations: { member: ['user'] } },
    todo: {
      relations: {
        admin: ['role#member'],
        editor: ['role#member'],
        evil_genius: ['role#member'],
        owner: ['user'],
        reader: ['user:*'],
      },
      permissions: {
        can_read_todos: 'reader',
        can_create_todo: 'admin | editor',
        can_update_todo: 'evil_genius | (editor & owner)',
        can_delete_todo: 'admin | (editor & owner)',
      },
    },
  },
};

// Independent check of the tuples against the suite: the permission formulas as set logic
// over the relationship strings written above (role relations hold through role usersets).
const tuples = new Set(relationships.map((r) => (typeof r === 'string' ? r : `${r.resource}#${r.relation}@${r.subject}`)));
function decide(r: Request): boolean {
  const who = `user:${r.subject.id}`;
  const obj = `${r.resource.type}:${r.resource.id}`;
  const viaRole = (relation: string) => [...tuples].some((t) => t.startsWith(`${obj}#${relation}@role:`) && tuples.has(`${t.slice(t.indexOf('@') + 1)}@${who}`));
  const direct = (relation: string) => tuples.has(`${obj}#${relation}@${who}`) || tuples.has(`${obj}#${relation}@user:*`);
  switch (r.action.name) {
    case 'can_read_user':
      return r.resource.type === 'user' && direct('reader');
    case 'can_read_todos':
      return direct('reader');
    case 'can_create_todo':
      return viaRole('admin') || viaRole('editor');
    case 'can_update_todo':
      return viaRole('evil_genius') || (viaRole('editor') && direct('owner'));
    case 'can_delete_todo':
      return viaRole('admin') || (viaRole('editor') && direct('owner'));
    default:
      return false;
  }
}

const name = (pid: string) => subjects[pid]?.email.split('@')[0] ?? pid;
const steps: unknown[] = [];
let mismatches = 0;
decisions.evaluation.forEach((d, i) => {
  if (decide(d.request) !== d.expected) {
    mismatches++;
    console.error(`evaluation[${i}] expected ${d.expected}: ${JSON.stringify(d.request)}`);
  }
  steps.push({
    name: `evaluation[${i}] ${name(d.request.subject.id)} ${d.request.action.name} ${d.request.resource.type}:${d.request.resource.id}`,
    check: d.request,
    expect: d.expected ? 'allow' : 'deny',
  });
});
decisions.evaluations.forEach((b, i) => {
  const { evaluations, ...defaults } = b.request;
  if (evaluations.length !== b.expected.length) throw new Error(`evaluations[${i}]: ${evaluations.length} requests, ${b.expected.length} answers`);
  evaluations.forEach((e, j) => {
    if (decide({ ...defaults, ...e } as Request) !== b.expected[j]!.decision) {
      mismatches++;
      console.error(`evaluations[${i}][${j}] expected ${b.expected[j]!.decision}`);
    }
  });
  steps.push({
    name: `evaluations[${i}] ${name(defaults.subject.id)} ${defaults.action.name}`,
    batch: { defaults, checks: evaluations.map((e, j) => ({ ...e, expect: b.expected[j]!.decision ? 'allow' : 'deny' })) },
  });
});
if (mismatches > 0) throw new Error(`${mismatches} decisions disagree with the suite; not writing ${out}`);

const count = decisions.evaluation.length + decisions.evaluations.reduce((n, b) => n + b.expected.length, 0);
const header = `# AuthZEN interop "Todo" suite (Authorization API 1.0 draft 02 payloads), bundled from
# ../shared/conformance/authzen-todo/ by scenarios/conformance/build-authzen-todo.ts (do not edit
# by hand; rerun the script). MIT licensed, copyright (c) 2024 Aserto: see authzen-todo.LICENSE.
#
# What it tests: ${decisions.evaluation.length} single evaluations and ${decisions.evaluations.length} batch evaluations, the suite's
# ${decisions.evaluation.length + decisions.evaluations.length} decisions (the batches hold ${count - decisions.evaluation.length} items: ${count} answers in all), requests exactly as the suite sends them, properties included.
# Where the expected answers come from: the suite's own expected decisions, unchanged.
#
# The Todo policy as relationships (the engine does not read resource.properties):
#   - subjects are 'user' objects with the opaque PID as id; roles are role:<name>#member@user:<PID>
#     (Rick admin + evil_genius, Morty and Summer editor, Beth and Jerry viewer);
#   - every todo the suite names gets admin/editor/evil_genius tuples pointing at the role
#     usersets, a reader tuple for user:*, and owner@user:<PID> from properties.ownerID (an email)
#     mapped to the PID through subjects.json;
#   - users as resources (user:<email>) have reader@user:* so can_read_user is always allowed;
#   - can_update_todo = evil_genius | (editor & owner), can_delete_todo = admin | (editor & owner):
#     a viewer who owns a todo (Beth, Jerry) still may not update or delete it.
# The build script evaluates these tuples with the formulas above and refuses to write the file
# if any of the ${count} answers disagrees with the suite.
`;
const doc = {
  id: 'authzen-todo',
  title: 'AuthZEN interop Todo suite',
  description: `The OpenID AuthZEN working group's Todo interop suite: ${decisions.evaluation.length + decisions.evaluations.length} decisions (${decisions.evaluation.length} single, ${decisions.evaluations.length} batches; ${count} answers) over roles, todo ownership and user lookups, modelled as relationships.`,
  tags: ['conformance', 'authzen', 'rbac', 'ownership', 'batch'],
  model,
  relationships,
  steps,
};
writeFileSync(out, header + stringify(doc, { lineWidth: 0 }));
console.log(`wrote ${path.relative(process.cwd(), out)}: ${count} decisions, ${relationships.length} relationships`);

// The three searches on the same data (scenarios/search/search-todo.yaml), every expected
// answer from the same formulas: the actions a user has on a todo, the users who may update
// or delete a todo, the todos a user may update. (No search here crosses the `reader: user:*`
// wildcard, whose listing engines report differently.)
const pids = Object.keys(subjects);
const todoIds = [...todos.keys()].sort();
const relationHolds = (pid: string, todo: string, relation: string): boolean => {
  const r: Request = { subject: { type: 'user', id: pid }, action: { name: relation }, resource: { type: 'todo', id: todo } };
  const who = `user:${pid}`;
  const obj = `todo:${todo}`;
  if (relation === 'owner') return tuples.has(`${obj}#owner@${who}`);
  if (relation === 'reader') return tuples.has(`${obj}#reader@user:*`);
  if (['admin', 'editor', 'evil_genius'].includes(relation)) {
    return [...tuples].some((t) => t.startsWith(`${obj}#${relation}@role:`) && tuples.has(`${t.slice(t.indexOf('@') + 1)}@${who}`));
  }
  return decide(r);
};
const todoActions = [...Object.keys(model.types.todo.relations), ...Object.keys(model.types.todo.permissions)];
const searchSteps: unknown[] = [];
for (const todo of todoIds.slice(0, 2)) {
  for (const pid of pids) {
    searchSteps.push({
      name: `actions of ${name(pid)} on todo:${todo}`,
      searchActions: { subject: { type: 'user', id: pid }, resource: { type: 'todo', id: todo } },
      expect: todoActions.filter((a) => relationHolds(pid, todo, a)).sort(),
    });
  }
  for (const action of ['can_update_todo', 'can_delete_todo']) {
    searchSteps.push({
      name: `who may ${action} todo:${todo}`,
      searchSubjects: { subject: { type: 'user' }, action, resource: { type: 'todo', id: todo } },
      expect: pids.filter((pid) => relationHolds(pid, todo, action)).sort(),
    });
  }
}
for (const pid of pids) {
  searchSteps.push({
    name: `todos ${name(pid)} may update`,
    searchResources: { subject: { type: 'user', id: pid }, action: 'can_update_todo', resource: { type: 'todo' } },
    expect: todoIds.filter((todo) => relationHolds(pid, todo, 'can_update_todo')),
  });
}
const searchOut = path.resolve(here, '../search/search-todo.yaml');
const searchHeader = `# The AuthZEN Todo data (see scenarios/conformance/authzen-todo.yaml) searched three ways:
# the actions a user has on a todo, the users who may update or delete a todo, the todos a user
# may update. Written by scenarios/conformance/build-authzen-todo.ts (do not edit by hand); the
# expected answers come from the same permission formulas that reproduce the suite's 46 answers.
`;
const searchDoc = {
  id: 'search-todo',
  title: 'Search on the AuthZEN Todo data',
  description: 'Action, subject and resource search (AuthZEN 1.0 section 8) over the Todo roles and ownership: complete answers expected, in any order.',
  tags: ['search', 'authzen', 'rbac', 'ownership'],
  model,
  relationships,
  steps: searchSteps,
};
writeFileSync(searchOut, searchHeader + stringify(searchDoc, { lineWidth: 0 }));
console.log(`wrote ${path.relative(process.cwd(), searchOut)}: ${searchSteps.length} searches`);

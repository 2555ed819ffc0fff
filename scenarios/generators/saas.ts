// saas: a multi-tenant SaaS application. relationships / 100 tenants (10^4 at 10^6), of skewed
// sizes (the largest about 20 times the smallest); every tenant has the SAME local ids for its
// users and documents (t17/user0, t17/doc3 and t18/doc3 ...), one or two admins, members, and
// documents each with an owner, direct editors and viewers, and about two in five shared with
// the whole tenant. Nothing is granted across tenants.
// Model it expects (see scenarios/scale/scale-saas.yaml):
//   tenant: admin [user], member [user]
//   document: tenant [tenant], owner [user], editor [user], viewer [user, tenant#member]
//     manage = owner | tenant->admin
//     edit = editor | manage
//     view = viewer | edit
// Expected answers by the generator's rule, written out as set logic: a user manages a document
// when they own it or are an admin of its tenant; edits it when they are an editor or manage it;
// views it when they are a viewer, or a member of its tenant and it is shared with the tenant, or
// edit it. A user of another tenant has none of these, whatever the ids say.
// Request mix (scenarios/generators/scale-mix.ts): `checks` distinct checks of one user and one
// action on one document, half of them allowed, 80% on a hot fifth of the documents; about half
// of the denied checks cross a tenant boundary, most of them by a user who holds the document
// with the same local id in their own tenant.

import type { ObjectRef, Relationship, SubjectRef } from '../../src/core/relationship.ts';
import { IndexLists } from './index-lists.ts';
import type { Random } from './random.ts';
import { scaleGenerator } from './scale-mix.ts';

const ACTIONS = ['view', 'edit', 'manage'] as const;
const VIEW = 0;
const EDIT = 1;
const MANAGE = 2;
/** Relationships per tenant on average: 10^4 tenants at 10^6. */
const PER_TENANT = 100;
/** The smallest tenant a budget allows: an admin, a member, a document with its tenant and owner. */
const SMALLEST_TENANT = 4;

interface World {
  userTenant: Int32Array;
  /** The first user and the first document of each tenant, and one past its last (tenants are contiguous). */
  firstUser: number[];
  firstDoc: number[];
  admins: Uint8Array;
  docTenant: Int32Array;
  docOwner: Int32Array;
  docEditors: IndexLists;
  docViewers: IndexLists;
  docShared: Uint8Array;
}

export default scaleGenerator<World, DocumentCheck>({
  name: 'saas',
  description:
    'Multi-tenant SaaS: relationships/100 tenants with identical local user and document ids, per-tenant admins and members, owners, editors, viewers, tenant-wide shares; cross-tenant checks deny.',
  build,
  resources: (world) => world.docTenant.length,
  propose,
  decide: (world, { user, action, doc }) => levelOf(world, user, doc) >= action,
  key: ({ user, action, doc }) => `${user}|${action}|${doc}`,
  request: (world, { user, action, doc }) => ({ subject: `user:${userId(world, user)}`, action: ACTIONS[action]!, resource: `document:${docId(world, doc)}` }),
});

const userId = (world: World, u: number) => `t${world.userTenant[u]}/user${u - world.firstUser[world.userTenant[u]!]!}`;
const docId = (world: World, d: number) => `t${world.docTenant[d]}/doc${d - world.firstDoc[world.docTenant[d]!]!}`;

/** Integer budgets summing to `total`, proportional to skewed weights (largest remainders). */
function tenantBudgets(rng: Random, tenants: number, total: number): number[] {
  const weights = Array.from({ length: tenants }, () => Math.exp(rng.next() * Math.log(20)));
  const sum = weights.reduce((a, b) => a + b, 0);
  const spare = total - SMALLEST_TENANT * tenants;
  const exact = weights.map((w) => (w / sum) * spare);
  const budgets = exact.map((x) => SMALLEST_TENANT + Math.floor(x));
  const order = exact.map((x, t) => [x - Math.floor(x), t] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let i = 0, left = total - budgets.reduce((a, b) => a + b, 0); i < left; i++) budgets[order[i % tenants]![1]]!++;
  return budgets;
}

function build(rng: Random, target: number): { world: World; relationships: Relationship[] } {
  const tenants = Math.max(2, Math.round(target / PER_TENANT));
  const budgets = tenantBudgets(rng, tenants, target);
  // Sizes first, so the world's arrays are allocated once.
  const shape = budgets.map((b) => ({ users: Math.max(2, Math.round(b / 8)), docs: Math.max(1, Math.round(b / 6)) }));
  for (const [t, s] of shape.entries()) {
    // Admin and members (one per user), a tenant and an owner per document: the rest are grants.
    while (s.users + 2 * s.docs > budgets[t]! && s.docs > 1) s.docs--;
    while (s.users + 2 * s.docs > budgets[t]! && s.users > 2) s.users--;
  }
  const userCount = shape.reduce((n, s) => n + s.users, 0);
  const docCount = shape.reduce((n, s) => n + s.docs, 0);
  const world: World = {
    userTenant: new Int32Array(userCount),
    firstUser: [],
    firstDoc: [],
    admins: new Uint8Array(userCount),
    docTenant: new Int32Array(docCount),
    docOwner: new Int32Array(docCount),
    docEditors: new IndexLists(docCount),
    docViewers: new IndexLists(docCount),
    docShared: new Uint8Array(docCount),
  };
  const relationships: Relationship[] = [];
  const userRefs: ObjectRef[] = [];
  const docRefs: ObjectRef[] = [];
  const write = (resource: ObjectRef, relation: string, subject: SubjectRef) => relationships.push({ resource, relation, subject });
  let user = 0;
  let doc = 0;
  let carried = 0;
  for (let t = 0; t < tenants; t++) {
    const budget = budgets[t]! + carried;
    const start = relationships.length;
    const tenant: ObjectRef = { type: 'tenant', id: `t${t}` };
    const tenantMembers: SubjectRef = { type: 'tenant', id: tenant.id, relation: 'member' };
    world.firstUser.push(user);
    world.firstDoc.push(doc);
    const { users, docs } = shape[t]!;
    const admins = users > 20 ? 2 : 1;
    for (let k = 0; k < users; k++, user++) {
      world.userTenant[user] = t;
      userRefs[user] = { type: 'user', id: `t${t}/user${k}` };
      if (k < admins) world.admins[user] = 1;
      write(tenant, k < admins ? 'admin' : 'member', userRefs[user]!);
    }
    const firstUser = world.firstUser[t]!;
    const anyUser = () => firstUser + rng.int(users);
    for (let k = 0; k < docs; k++, doc++) {
      world.docTenant[doc] = t;
      docRefs[doc] = { type: 'document', id: `t${t}/doc${k}` };
      write(docRefs[doc]!, 'tenant', tenant);
      world.docOwner[doc] = anyUser();
      write(docRefs[doc]!, 'owner', userRefs[world.docOwner[doc]!]!);
    }
    // Grants until the budget is spent: a tenant-wide share in one draw of seven, else an editor
    // (one in three) or a viewer. A grant that is already there is drawn again, a bounded number of times.
    const firstDoc = world.firstDoc[t]!;
    for (let tries = 0; relationships.length - start < budget && tries < 20 * budget; tries++) {
      const d = firstDoc + rng.int(docs);
      if (rng.chance(1 / 7)) {
        if (world.docShared[d]) continue;
        world.docShared[d] = 1;
        write(docRefs[d]!, 'viewer', tenantMembers);
        continue;
      }
      const u = anyUser();
      const editor = rng.chance(1 / 3);
      const lists = editor ? world.docEditors : world.docViewers;
      if (lists.has(d, u)) continue;
      lists.add(d, u);
      write(docRefs[d]!, editor ? 'editor' : 'viewer', userRefs[u]!);
    }
    // A tenant too small for its budget hands the rest to the next one.
    carried = budget - (relationships.length - start);
  }
  return { world, relationships };
}

/** The rule: the highest of view, edit and manage `u` holds on `doc` (-1 for none). */
function levelOf(world: World, u: number, doc: number): number {
  const t = world.docTenant[doc]!;
  if (world.userTenant[u] !== t) return -1;
  if (world.docOwner[doc] === u || world.admins[u] === 1) return MANAGE;
  if (world.docEditors.has(doc, u)) return EDIT;
  if (world.docViewers.has(doc, u) || (world.docShared[doc] === 1 && world.admins[u] === 0)) return VIEW;
  return -1;
}

interface DocumentCheck {
  user: number;
  action: number;
  doc: number;
}

/** The same local id in tenant `t`, when that tenant has that many documents. */
function sameIdIn(world: World, doc: number, t: number): number | undefined {
  const local = doc - world.firstDoc[world.docTenant[doc]!]!;
  const other = world.firstDoc[t]! + local;
  return other < (world.firstDoc[t + 1] ?? world.docTenant.length) ? other : undefined;
}

/** A check likely to go the wanted way: someone who holds a grant on the document, or a user of its tenant or of another. */
function propose(rng: Random, world: World, doc: number, allow: boolean): DocumentCheck {
  const t = world.docTenant[doc]!;
  const tenantUser = () => world.firstUser[t]! + rng.int((world.firstUser[t + 1] ?? world.userTenant.length) - world.firstUser[t]!);
  if (allow) {
    const holders = [world.docOwner[doc]!, ...world.docEditors.get(doc), ...world.docViewers.get(doc)];
    const user = rng.chance(0.7) ? rng.pick(holders) : tenantUser();
    return { user, action: rng.int(ACTIONS.length), doc };
  }
  if (rng.chance(0.5)) return { user: tenantUser(), action: rng.int(ACTIONS.length), doc };
  // Across tenants, preferably by the owner of the document with the same local id over there.
  const other = (t + 1 + rng.int(world.firstUser.length - 1)) % world.firstUser.length;
  const twin = sameIdIn(world, doc, other);
  const user = twin !== undefined ? world.docOwner[twin]! : world.firstUser[other]! + rng.int((world.firstUser[other + 1] ?? world.userTenant.length) - world.firstUser[other]!);
  return { user, action: rng.int(ACTIONS.length), doc };
}

// tenants: many tenants holding documents with identical local ids (t0/1, t1/1, ...), an agent
// that is admin of tenant t0 only, and tenant-scoped overrides (a guest grant on one document
// to a user of another tenant; a member blocked on one document of their own tenant).
// Model it expects (see scenarios/multi-tenancy/multi-tenancy-many-tenants.yaml):
//   tenant: admin [user, agent], member [user, agent]
//   document: tenant [tenant], guest [user], blocked [user, agent]
//     view = (guest | tenant->member | tenant->admin) - blocked
//     edit = tenant->admin - blocked
// Expected answers are computed from that definition, written out below as set logic.

import { checkSteps, mulberry32 } from './random.ts';

type Check = Parameters<typeof checkSteps>[0][number];

export default {
  name: 'tenants',
  description: 'Many tenants with identical document ids, an agent admin of one tenant, seeded guest and block overrides, sampled checks.',
  params: {
    tenants: { default: 10, min: 2, max: 10000, description: 'number of tenants' },
    docs: { default: 3, min: 1, max: 1000, description: 'documents per tenant (ids 1..docs in each)' },
    members: { default: 2, min: 1, max: 1000, description: 'members per tenant (plus one admin)' },
    overrides: { default: 3, min: 0, max: 10000, description: 'guest grants and blocks (each)' },
    checks: { default: 40, min: 0, max: 100000, description: 'sampled checks besides the agent sweep' },
  },
  estimate: ({ tenants, docs, members, overrides, checks }: Record<string, number>) => tenants! * (docs! + members! + 2) + 2 * overrides! + checks!,
  generate(params: Record<string, number>, seed: number) {
    const { tenants, docs, members, overrides } = params as Record<string, number>;
    const rng = mulberry32(seed);
    const relationships: string[] = [];
    const tenantOf = new Map<string, number>(); // subject -> tenant
    const admins = new Set<string>();
    for (let t = 0; t < tenants!; t++) {
      relationships.push(`tenant:t${t}#admin@user:t${t}-admin`);
      tenantOf.set(`user:t${t}-admin`, t);
      admins.add(`user:t${t}-admin`);
      for (let m = 0; m < members!; m++) {
        relationships.push(`tenant:t${t}#member@user:t${t}-m${m}`);
        tenantOf.set(`user:t${t}-m${m}`, t);
      }
      for (let d = 1; d <= docs!; d++) relationships.push(`document:t${t}/${d}#tenant@tenant:t${t}`);
    }
    relationships.push('tenant:t0#admin@agent:ops-bot');
    tenantOf.set('agent:ops-bot', 0);
    admins.add('agent:ops-bot');

    const users = [...tenantOf.keys()].filter((s) => s.startsWith('user:'));
    const guests = new Set<string>(); // `${doc}|${subject}`
    const blocked = new Set<string>();
    for (let o = 0; o < overrides!; o++) {
      const t = rng.int(tenants!);
      const doc = `t${t}/${1 + rng.int(docs!)}`;
      const outsider = rng.pick(users.filter((u) => tenantOf.get(u) !== t));
      if (!guests.has(`${doc}|${outsider}`)) {
        guests.add(`${doc}|${outsider}`);
        relationships.push(`document:${doc}#guest@${outsider}`);
      }
      const b = rng.int(tenants!);
      const bdoc = `t${b}/${1 + rng.int(docs!)}`;
      const member = `user:t${b}-m${rng.int(members!)}`;
      if (!guests.has(`${bdoc}|${member}`) && !blocked.has(`${bdoc}|${member}`)) {
        blocked.add(`${bdoc}|${member}`);
        relationships.push(`document:${bdoc}#blocked@${member}`);
      }
    }

    const expectOf = (subject: string, action: 'view' | 'edit', doc: string): 'allow' | 'deny' => {
      const t = Number(doc.slice(1, doc.indexOf('/')));
      if (blocked.has(`${doc}|${subject}`)) return 'deny';
      const inTenant = tenantOf.get(subject) === t;
      const ok = action === 'view' ? guests.has(`${doc}|${subject}`) || inTenant : inTenant && admins.has(subject);
      return ok ? 'allow' : 'deny';
    };

    const checks: Check[] = [];
    // The agent admin of t0: everything in t0, nothing in any other tenant (same ids!).
    for (const t of [0, 1, ...rng.sample([...Array(tenants).keys()].slice(2), 3)]) {
      for (const action of ['view', 'edit'] as const) {
        const doc = `t${t}/1`;
        checks.push({ subject: 'agent:ops-bot', action, resource: `document:${doc}`, expect: expectOf('agent:ops-bot', action, doc), name: `agent admin of t0 ${action}s ${doc}` });
      }
    }
    // Every override, checked.
    for (const key of [...guests, ...blocked]) {
      const [doc, subject] = key.split('|') as [string, string];
      checks.push({
        subject,
        action: 'view',
        resource: `document:${doc}`,
        expect: expectOf(subject, 'view', doc),
        name: guests.has(key) ? 'cross-tenant guest override' : 'blocked override',
      });
    }
    // Sampled checks; half of them inside the subject's tenant.
    for (let c = 0; c < params.checks!; c++) {
      const subject = rng.pick(users);
      const t = rng.chance(0.5) ? tenantOf.get(subject)! : rng.int(tenants!);
      const doc = `t${t}/${1 + rng.int(docs!)}`;
      const action = rng.chance(0.7) ? 'view' : 'edit';
      checks.push({ subject, action, resource: `document:${doc}`, expect: expectOf(subject, action, doc) });
    }
    return { relationships, steps: checkSteps(checks) };
  },
};

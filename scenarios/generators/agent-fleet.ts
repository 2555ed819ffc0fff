// agent-fleet: relationships / 100 agents (10^4 at 10^6) acting on behalf of as many users. As
// in agent-on-behalf-of, a `session` pairs one user with one agent (each agent serves 1 to 4
// users); grants to a user or an agent reach its sessions through the userset `#session`, and the
// check's subject is the session. Each agent holds 1 to 8 tasks, each a reader or (one in four)
// writer grant that expires (expires_at between 10:00 and 18:00 on NOW's day, to the minute)
// and scopes 1 to 20 documents, mostly from projects of the users the agent serves. Users reach
// documents through project membership and direct viewer and editor grants.
// Model it expects (see scenarios/scale/scale-agent-fleet.yaml):
//   user: session [session]; agent: session [session]; project: member [user#session]
//   task: reader [agent#session with not_expired], writer [agent#session with not_expired]
//   document: project [project], task [task], viewer [user#session], editor [user#session]
//     user_read = viewer | editor | project->member
//     task_read = task->reader | task->writer
//     task_write = task->writer
//     read = user_read & task_read
//     write = editor & task_write
//   not_expired(now, expires_at) = now < expires_at (now from the request context)
// Expected answers by the generator's rule, written out as set logic: session (u, a) reads a
// document when u is its viewer or editor or a member of its project, AND some task scoping it
// is granted to a (reader or writer) with expires_at strictly after the request's `now`; it
// writes when u is its editor AND such a task is a writer grant. Every check carries `now`:
// a minute from 12:00 to 12:59 on NOW's day, or for some of the denied ones up to 30 minutes
// after a task's expiry; a grant is in force strictly before its expires_at.
// Request mix (scenarios/generators/scale-mix.ts): `checks` distinct checks (session, action,
// document), half of them allowed, 80% on a hot fifth of the documents; the denied ones are
// mostly an expired task, a user who lacks the document (the confused deputy), or no task.

import type { BoundCondition, ObjectRef, Relationship, SubjectRef } from '../../src/core/relationship.ts';
import { IndexLists } from './index-lists.ts';
import type { Random } from './random.ts';
import { scaleGenerator } from './scale-mix.ts';

/** The day every grant expires on and every check is made on. */
const NOW = Date.parse('2026-06-01T12:00:00Z');
const MINUTE = 60_000;
const ACTIONS = ['read', 'write'] as const;
const READ = 0;
const WRITE = 1;
/** Relationships per agent on average: 10^4 agents at 10^6. */
const PER_AGENT = 100;

interface World {
  sessionUser: Int32Array;
  sessionAgent: Int32Array;
  agentSessions: number[][];
  userProjects: number[][];
  docProject: Int32Array;
  docViewers: IndexLists;
  docEditors: IndexLists;
  docTasks: IndexLists;
  taskAgent: Int32Array;
  taskWriter: Uint8Array;
  /** Milliseconds since the epoch. */
  taskExpires: Float64Array;
}

export default scaleGenerator<World, SessionCheck>({
  name: 'agent-fleet',
  description:
    'Agents acting on behalf of users through sessions, with task-scoped, expiring reader and writer grants; a check allows only where the user and the agent task grant both hold at the request time.',
  build,
  resources: (world) => world.docProject.length,
  propose,
  decide: allowed,
  key: ({ session, action, doc }) => `${session}|${action}|${doc}`,
  request: (_world, { session, action, doc, now }) => ({
    subject: `session:s${session}`,
    action: ACTIONS[action]!,
    resource: `document:d${doc}`,
    context: { now: new Date(now).toISOString() },
  }),
});

function build(rng: Random, target: number): { world: World; relationships: Relationship[] } {
  const agents = Math.max(2, Math.round(target / PER_AGENT));
  const users = agents;
  const projects = Math.max(1, Math.round(users / 4));
  const docs = Math.max(10, Math.round(target / 4));
  const world: World = {
    sessionUser: new Int32Array(agents * 4),
    sessionAgent: new Int32Array(agents * 4),
    agentSessions: Array.from({ length: agents }, () => []),
    userProjects: Array.from({ length: users }, () => []),
    docProject: new Int32Array(docs),
    docViewers: new IndexLists(docs),
    docEditors: new IndexLists(docs),
    docTasks: new IndexLists(docs),
    taskAgent: new Int32Array(agents * 8),
    taskWriter: new Uint8Array(agents * 8),
    taskExpires: new Float64Array(agents * 8),
  };
  const relationships: Relationship[] = [];
  const write = (resource: ObjectRef, relation: string, subject: SubjectRef, condition?: BoundCondition) =>
    relationships.push(condition ? { resource, relation, subject, condition } : { resource, relation, subject });
  const room = () => relationships.length < target;
  const userSessions = Array.from({ length: users }, (_, u): SubjectRef => ({ type: 'user', id: `u${u}`, relation: 'session' }));
  const agentSessions = Array.from({ length: agents }, (_, a): SubjectRef => ({ type: 'agent', id: `a${a}`, relation: 'session' }));
  const projectRefs = Array.from({ length: projects }, (_, p): ObjectRef => ({ type: 'project', id: `p${p}` }));
  const docRefs = Array.from({ length: docs }, (_, d): ObjectRef => ({ type: 'document', id: `d${d}` }));
  const projectDocs: number[][] = Array.from({ length: projects }, () => []);
  // One bound condition per expiry minute, shared by the grants that expire then.
  const expiries = new Map<number, BoundCondition>();
  const notExpired = (at: number) => expiries.get(at) ?? expiries.set(at, { name: 'not_expired', parameters: { expires_at: new Date(at).toISOString() } }).get(at)!;

  for (let d = 0; d < docs; d++) {
    const p = rng.int(projects);
    world.docProject[d] = p;
    projectDocs[p]!.push(d);
    write(docRefs[d]!, 'project', projectRefs[p]!);
  }
  for (let u = 0; u < users; u++) {
    for (let k = rng.chance(0.5) ? 2 : 1; k > 0 && room(); k--) {
      const p = rng.int(projects);
      if (world.userProjects[u]!.includes(p)) continue;
      world.userProjects[u]!.push(p);
      write(projectRefs[p]!, 'member', userSessions[u]!);
    }
  }
  let sessions = 0;
  let tasks = 0;
  for (let a = 0; a < agents && room(); a++) {
    const served: number[] = [];
    for (let k = [1, 2, 2, 3, 4][rng.int(5)]!; k > 0 && room(); k--) {
      const u = rng.int(users);
      if (served.includes(u)) continue;
      served.push(u);
      const s = sessions++;
      const session: ObjectRef = { type: 'session', id: `s${s}` };
      world.sessionUser[s] = u;
      world.sessionAgent[s] = a;
      world.agentSessions[a]!.push(s);
      write({ type: 'user', id: `u${u}` }, 'session', session);
      write({ type: 'agent', id: `a${a}` }, 'session', session);
    }
    const projectsServed = served.flatMap((u) => world.userProjects[u]!);
    for (let k = 1 + rng.int(8); k > 0 && room(); k--) {
      const t = tasks++;
      const task: ObjectRef = { type: 'task', id: `t${t}` };
      world.taskAgent[t] = a;
      world.taskWriter[t] = rng.chance(0.25) ? 1 : 0;
      world.taskExpires[t] = NOW + (rng.int(8 * 60) - 2 * 60) * MINUTE;
      write(task, world.taskWriter[t] ? 'writer' : 'reader', agentSessions[a]!, notExpired(world.taskExpires[t]!));
      // Its documents: mostly from a project of a user the agent serves.
      for (let m = 1 + rng.int(20); m > 0 && room(); m--) {
        const pool = projectsServed.length > 0 && rng.chance(0.7) ? projectDocs[rng.pick(projectsServed)]! : [];
        const d = pool.length > 0 ? rng.pick(pool) : rng.int(docs);
        if (world.docTasks.has(d, t)) continue;
        world.docTasks.add(d, t);
        write(docRefs[d]!, 'task', task);
      }
    }
  }
  // Exactly `target`: the rest as direct viewer (three in four) and editor grants to users.
  for (let tries = 0; room() && tries < 100 * target; tries++) {
    const u = rng.int(users);
    const own = world.userProjects[u]!.length > 0 && rng.chance(0.5) ? projectDocs[rng.pick(world.userProjects[u]!)]! : [];
    const d = own.length > 0 ? rng.pick(own) : rng.int(docs);
    if (world.docViewers.has(d, u) || world.docEditors.has(d, u)) continue;
    const editor = rng.chance(0.25);
    (editor ? world.docEditors : world.docViewers).add(d, u);
    write(docRefs[d]!, editor ? 'editor' : 'viewer', userSessions[u]!);
  }
  // The arrays were sized for the most there could be.
  world.sessionUser = world.sessionUser.slice(0, sessions);
  world.sessionAgent = world.sessionAgent.slice(0, sessions);
  return { world, relationships };
}

interface SessionCheck {
  session: number;
  action: number;
  doc: number;
  /** The request time, milliseconds since the epoch. */
  now: number;
}

/** The rule: the user's own grant and an agent task grant in force at `now`, both. */
function allowed(world: World, { session, action, doc, now }: SessionCheck): boolean {
  const u = world.sessionUser[session]!;
  const a = world.sessionAgent[session]!;
  const editor = world.docEditors.has(doc, u);
  const user = action === WRITE ? editor : editor || world.docViewers.has(doc, u) || world.userProjects[u]!.includes(world.docProject[doc]!);
  return user && world.docTasks.get(doc).some((t) => world.taskAgent[t] === a && world.taskExpires[t]! > now && (action === READ || world.taskWriter[t] === 1));
}

/** A request time within the hour of checks, to the minute. */
const checkTime = (rng: Random) => NOW + rng.int(60) * MINUTE;

/** A check likely to go the wanted way: a session of an agent with a task on the document, in time or not, or any session. */
function propose(rng: Random, world: World, doc: number, allow: boolean): SessionCheck | undefined {
  const tasks = world.docTasks.get(doc);
  const sessions = world.sessionAgent.length;
  if (tasks.length === 0) return allow ? undefined : { session: rng.int(sessions), action: rng.int(ACTIONS.length), doc, now: checkTime(rng) };
  const t = rng.pick(tasks);
  const agentSessions = world.agentSessions[world.taskAgent[t]!]!;
  const action = world.taskWriter[t] === 1 && rng.chance(0.5) ? WRITE : READ;
  const session = rng.chance(allow ? 0.9 : 0.5) && agentSessions.length > 0 ? rng.pick(agentSessions) : rng.int(sessions);
  // Allowed checks need the grant in force; a denied one is often made at or after its expiry.
  const expires = world.taskExpires[t]!;
  const now = allow || rng.chance(0.5) ? checkTime(rng) : Math.max(NOW, expires) + rng.int(30) * MINUTE;
  return { session, action, doc, now };
}

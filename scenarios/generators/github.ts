// github: organisations with members and owners, nested teams, and repositories with GitHub's
// five roles, as in OpenFGA's GitHub sample model. Organisation sizes are skewed (log-uniform,
// 5 to 400 members, fewer for small totals); about a tenth of the members of an organisation
// also belong to earlier ones; a fifth of the direct repository grants go to outside
// collaborators; base permissions: none 40%, read 40%, write 15%, admin 5%.
// Model it expects (see scenarios/scale/scale-github.yaml):
//   organization: owner [user], member [user], repo_reader|repo_writer|repo_admin [organization#member]
//     (the base permission: one of the three granted to the organisation's own members, or none)
//   team: member [user, team#member]   (a child team's members are the parent team's members)
//   repo: owner [organization], reader|triager|writer|maintainer|admin [user, team#member]
//     administer = admin | owner->owner | owner->repo_admin
//     maintain = maintainer | administer
//     write = writer | maintain | owner->repo_writer
//     triage = triager | write
//     read = reader | triage | owner->repo_reader
// Expected answers by the generator's rule, written out as levels (read 0 < triage 1 < write 2
// < maintain 3 < administer 4): a user's level on a repository is the highest of 4 when they own
// its organisation, the organisation's base level when they are a member of it, the role of a
// direct grant, and the role granted to any team they belong to directly or through child
// teams; a check of action A is allowed when that level is at least A's.
// Request mix (scenarios/generators/scale-mix.ts): `checks` distinct checks of one user and one
// action on one repository, half of them allowed, 80% on a hot fifth of the repositories.

import type { ObjectRef, Relationship, SubjectRef } from '../../src/core/relationship.ts';
import type { Random } from './random.ts';
import { scaleGenerator } from './scale-mix.ts';

const ACTIONS = ['read', 'triage', 'write', 'maintain', 'administer'] as const;
const ROLES = ['reader', 'triager', 'writer', 'maintainer', 'admin'] as const;
const BASE_RELATIONS = ['repo_reader', 'repo_writer', 'repo_admin'] as const;
const BASE_LEVELS = [0, 2, 4];
const ADMIN = 4;
/** No level at all (no access). */
const NONE = -1;

/** Relationships an organisation of `members` writes, about (measured over many): what sizes the last one. */
const PER_MEMBER = 4;
const PER_ORGANIZATION = 3;

interface World {
  users: number;
  orgMembers: number[][];
  orgMemberSet: Set<number>[];
  orgOwners: number[][];
  orgBase: number[];
  teamParent: number[];
  teamChildren: number[][];
  teamMembers: number[][];
  userTeams: Map<number, number[]>;
  repoOrg: number[];
  /** Per repo: user × 8 + level of each direct grant. */
  repoUsers: number[][];
  /** Per repo: team × 8 + level of each team grant. */
  repoTeams: number[][];
}

export default scaleGenerator<World, RepoCheck>({
  name: 'github',
  description: 'Organisations with owners and members, nested teams, repositories with the five GitHub roles granted to users and teams, base permissions; a mixed request set.',
  build,
  resources: (world) => world.repoOrg.length,
  propose,
  decide: (world, { user, action, repo }) => levelOf(world, user, repo) >= action,
  key: ({ user, action, repo }) => `${user}|${action}|${repo}`,
  request: (world, { user, action, repo }) => ({ subject: `user:u${user}`, action: ACTIONS[action]!, resource: `repo:${repoId(world, repo)}` }),
});

const repoId = (world: World, repo: number) => `org${world.repoOrg[repo]}/repo${repo}`;

function build(rng: Random, target: number): { world: World; relationships: Relationship[] } {
  const world: World = {
    users: 0,
    orgMembers: [],
    orgMemberSet: [],
    orgOwners: [],
    orgBase: [],
    teamParent: [],
    teamChildren: [],
    teamMembers: [],
    userTeams: new Map(),
    repoOrg: [],
    repoUsers: [],
    repoTeams: [],
  };
  const relationships: Relationship[] = [];
  // One object per entity, shared by every relationship that names it.
  const userRefs: ObjectRef[] = [];
  const user = (u: number) => (userRefs[u] ??= { type: 'user', id: `u${u}` });
  const teamRefs: ObjectRef[] = [];
  const teamMembersRefs: SubjectRef[] = [];
  const repoRefs: ObjectRef[] = [];
  const write = (resource: ObjectRef, relation: string, subject: SubjectRef) => relationships.push({ resource, relation, subject });
  const room = () => relationships.length < target;
  const maxMembers = Math.min(400, Math.max(20, Math.round(target / 25)));

  while (target - relationships.length > PER_ORGANIZATION + 3 * PER_MEMBER) {
    const o = world.orgMembers.length;
    const remaining = target - relationships.length;
    const drawn = Math.round(Math.exp(Math.log(5) + rng.next() * Math.log(maxMembers / 5)));
    const size = Math.min(drawn, Math.floor((remaining - PER_ORGANIZATION) / PER_MEMBER));
    const org: ObjectRef = { type: 'organization', id: `org${o}` };
    const orgMembers: SubjectRef = { type: 'organization', id: org.id, relation: 'member' };
    // Members: mostly new users, a tenth already in an earlier organisation.
    const members: number[] = [];
    const memberSet = new Set<number>();
    while (members.length < size) {
      const u = world.users > 0 && rng.chance(0.1) ? rng.int(world.users) : world.users++;
      if (memberSet.has(u)) continue;
      memberSet.add(u);
      members.push(u);
      write(org, 'member', user(u));
    }
    const owners = rng.sample(members, size > 50 ? 2 : 1);
    for (const u of owners) write(org, 'owner', user(u));
    // Base permission: none (GitHub's "No permission") in 40%, else read, write or admin.
    const baseDraw = rng.next();
    const base = baseDraw < 0.4 ? NONE : baseDraw < 0.8 ? 0 : baseDraw < 0.95 ? 1 : 2;
    if (base !== NONE) write(org, BASE_RELATIONS[base]!, orgMembers);
    world.orgMembers.push(members);
    world.orgMemberSet.push(memberSet);
    world.orgOwners.push(owners);
    world.orgBase.push(base === NONE ? NONE : BASE_LEVELS[base]!);

    // Teams, half of them nested in an earlier team of the organisation (so no cycle).
    const firstTeam = world.teamParent.length;
    const teams = Math.max(1, Math.round(size / 8));
    for (let j = 0; j < teams; j++) {
      const t = firstTeam + j;
      teamRefs[t] = { type: 'team', id: `org${o}/team${t}` };
      teamMembersRefs[t] = { type: 'team', id: teamRefs[t]!.id, relation: 'member' };
      world.teamChildren.push([]);
      world.teamMembers.push([]);
      const parent = j > 0 && rng.chance(0.5) ? firstTeam + rng.int(j) : NONE;
      world.teamParent.push(parent);
      if (parent !== NONE) {
        world.teamChildren[parent]!.push(t);
        write(teamRefs[parent]!, 'member', teamMembersRefs[t]!);
      }
    }
    // Memberships: 0 to 3 teams each, the first teams of an organisation the larger.
    for (const u of members) {
      const joined: number[] = [];
      for (let k = [0, 1, 1, 1, 2, 2, 3][rng.int(7)]!; k > 0 && room(); k--) {
        const t = firstTeam + Math.floor(teams * rng.next() ** 2);
        if (joined.includes(t)) continue;
        joined.push(t);
        world.teamMembers[t]!.push(u);
        write(teamRefs[t]!, 'member', user(u));
      }
      if (joined.length > 0) world.userTeams.set(u, [...(world.userTeams.get(u) ?? []), ...joined]);
    }

    // Repositories: owned by the organisation, granted to its teams and to users.
    const repos = Math.max(1, Math.round(size * 0.6));
    for (let k = 0; k < repos && room(); k++) {
      const r = world.repoOrg.length;
      world.repoOrg.push(o);
      world.repoUsers.push([]);
      world.repoTeams.push([]);
      repoRefs[r] = { type: 'repo', id: repoId(world, r) };
      write(repoRefs[r]!, 'owner', org);
      for (let g = [0, 1, 1, 2, 3][rng.int(5)]!; g > 0 && room(); g--) {
        const t = firstTeam + rng.int(teams);
        if (world.repoTeams[r]!.some((e) => e >> 3 === t)) continue;
        const level = teamRole(rng);
        world.repoTeams[r]!.push(t * 8 + level);
        write(repoRefs[r]!, ROLES[level]!, teamMembersRefs[t]!);
      }
      for (let g = [0, 0, 1, 1, 2][rng.int(5)]!; g > 0 && room(); g--) grantUser(r, rng.chance(0.2) ? rng.int(world.users) : rng.pick(members));
    }
  }
  // Exactly `target`: the rest as direct grants to members of the repository's organisation.
  for (let tries = 0; room() && tries < 100 * target; tries++) {
    const r = rng.int(world.repoOrg.length);
    grantUser(r, rng.pick(world.orgMembers[world.repoOrg[r]!]!));
  }
  return { world, relationships };

  function grantUser(r: number, u: number): void {
    if (world.repoUsers[r]!.some((e) => e >> 3 === u)) return;
    const level = rng.int(ROLES.length);
    world.repoUsers[r]!.push(u * 8 + level);
    write(repoRefs[r]!, ROLES[level]!, user(u));
  }
}

/** Team roles lean to write, as on GitHub. */
function teamRole(rng: Random): number {
  const x = rng.next();
  return x < 0.15 ? 0 : x < 0.25 ? 1 : x < 0.75 ? 2 : x < 0.9 ? 3 : 4;
}

/** Whether `u` is a member of team `t`: directly, or through a team nested in it. */
function inTeam(world: World, u: number, t: number): boolean {
  for (let team of world.userTeams.get(u) ?? []) {
    for (; team !== NONE; team = world.teamParent[team]!) if (team === t) return true;
  }
  return false;
}

/** The rule: the highest level `u` holds on `repo` (NONE for no access). */
function levelOf(world: World, u: number, repo: number): number {
  const o = world.repoOrg[repo]!;
  if (world.orgOwners[o]!.includes(u)) return ADMIN;
  let level = world.orgMemberSet[o]!.has(u) ? world.orgBase[o]! : NONE;
  for (const e of world.repoUsers[repo]!) if (e >> 3 === u) level = Math.max(level, e & 7);
  for (const e of world.repoTeams[repo]!) if ((e & 7) > level && inTeam(world, u, e >> 3)) level = e & 7;
  return level;
}

interface RepoCheck {
  user: number;
  action: number;
  repo: number;
}

/** A check likely to go the wanted way: a holder of some grant and an action within it, or anyone and an action above. */
function propose(rng: Random, world: World, repo: number, allow: boolean): RepoCheck | undefined {
  const o = world.repoOrg[repo]!;
  const members = world.orgMembers[o]!;
  if (!allow) {
    const user = rng.chance(0.5) ? rng.int(world.users) : rng.pick(members);
    return { user, action: rng.int(ACTIONS.length), repo };
  }
  let user: number | undefined;
  let level = NONE;
  switch (rng.int(4)) {
    case 0:
      user = rng.pick(world.orgOwners[o]!);
      level = ADMIN;
      break;
    case 1:
      user = rng.pick(members);
      level = world.orgBase[o]!;
      break;
    case 2: {
      const grants = world.repoUsers[repo]!;
      if (grants.length === 0) return undefined;
      const e = rng.pick(grants);
      [user, level] = [e >> 3, e & 7];
      break;
    }
    default: {
      const grants = world.repoTeams[repo]!;
      if (grants.length === 0) return undefined;
      const e = rng.pick(grants);
      // A member of the team or of a team nested in it.
      let team = e >> 3;
      while (world.teamChildren[team]!.length > 0 && rng.chance(0.5)) team = rng.pick(world.teamChildren[team]!);
      if (world.teamMembers[team]!.length === 0) return undefined;
      [user, level] = [rng.pick(world.teamMembers[team]!), e & 7];
    }
  }
  if (user === undefined || level === NONE) return undefined;
  return { user, action: rng.int(level + 1), repo };
}

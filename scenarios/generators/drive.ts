// drive: a Drive-like store. Documents sit in folder trees `depth` levels deep (one tree per
// drive); folders and documents are shared with users and with groups, and groups nest
// (`group:a#member@group:b#member`: the members of b are members of a).
// Model it expects (see scenarios/scale/scale-drive.yaml):
//   group: member [user, group#member]
//   folder, document: parent [folder], viewer [user, group#member], editor [user, group#member]
//     view = viewer | editor | parent->view;  edit = editor | parent->edit
// Expected answers come from this generator's own rule, never from an engine: a user reaches
// the groups it is a member of and every group above them; it may `view` a document when a
// viewer or editor share on the document or on any folder above it names the user or a group
// it reaches (`edit`: an editor share). Half of the checks are built to be allowed (a share on
// the document's folder chain, then a user reached through it), half to be denied (a random
// user, drawn again while the rule allows it); each expectation is the rule's, so the ratio is
// about 50% allowed (50% at 10^4, 10^5 and 10^6 with seed 1; denser small stores allow more).
// Hot and cold: 80% of the checks ask about the first 20% of the documents. Every check
// (subject, action, document) is distinct. Sizes: `relationships` is the exact total, the knob
// the scale curves sweep (10^4 .. 10^6); the shares of it are below. Typed arrays keep 10^6 lean.

import { checkSteps, mulberry32, type Random } from './random.ts';

// Fractions of `relationships` (the rest are shares).
const FOLDERS = 0.04;
const DOCUMENTS = 0.45;
const USERS = 0.04;
const GROUPS = 0.02;
/** Groups with a second parent group (nested groups form a DAG, not a tree). */
const SECOND_PARENT = 0.2;
const FOLDER_SHARES = 0.35;
const GROUP_SHARES = 0.4;
const EDITOR_SHARES = 0.3;
const HOT_DOCUMENTS = 0.2;
const HOT_CHECKS = 0.8;
const ALLOW_TARGET = 0.5;
const EDIT_CHECKS = 0.25;

/** A share's subject and relation in one integer: id * 4 + (group ? 2 : 0) + (editor ? 1 : 0). */
const share = (id: number, group: boolean, editor: boolean) => id * 4 + (group ? 2 : 0) + (editor ? 1 : 0);
const shareIsGroup = (s: number) => (s & 2) !== 0;
const shareIsEditor = (s: number) => (s & 1) !== 0;
const shareId = (s: number) => s >>> 2;

type Action = 'view' | 'edit';

export interface DriveParams {
  relationships: number;
  depth: number;
  groupDepth: number;
  memberships: number;
  checks: number;
}

/** The generated store as the generator knows it: what its rule reads. */
class Drive {
  readonly folderParent: Int32Array;
  readonly documentFolder: Int32Array;
  /** Shares on node n (folders 0..F-1, then documents F..F+D-1). */
  readonly shares: (number[] | undefined)[];
  /** Parent groups of group g, and its child groups and direct users (to find a member). */
  readonly groupParents: number[][];
  readonly groupChildren: number[][];
  readonly groupUsers: number[][];
  readonly userGroups: number[][];

  constructor(
    readonly folders: number,
    readonly documents: number,
    readonly users: number,
    readonly groups: number,
  ) {
    this.folderParent = new Int32Array(folders).fill(-1);
    this.documentFolder = new Int32Array(documents);
    this.shares = new Array(folders + documents);
    const lists = (n: number) => Array.from({ length: n }, () => [] as number[]);
    this.groupParents = lists(groups);
    this.groupChildren = lists(groups);
    this.groupUsers = lists(groups);
    this.userGroups = lists(users);
  }

  /** The nodes whose shares reach document d: the document, its folder, and every folder above. */
  *chain(document: number): Generator<number> {
    yield this.folders + document;
    for (let f = this.documentFolder[document]!; f >= 0; f = this.folderParent[f]!) yield f;
  }

  /** The groups user u is a member of, directly or through nested groups. */
  groupsOf(user: number): Set<number> {
    const reached = new Set<number>();
    const stack = [...this.userGroups[user]!];
    while (stack.length > 0) {
      const g = stack.pop()!;
      if (reached.has(g)) continue;
      reached.add(g);
      for (const p of this.groupParents[g]!) stack.push(p);
    }
    return reached;
  }

  /** The rule: some share on the chain grants `action` to the user or a group it reaches. */
  allows(user: number, action: Action, document: number): boolean {
    const groups = this.groupsOf(user);
    for (const node of this.chain(document)) {
      for (const s of this.shares[node] ?? []) {
        if (action === 'edit' && !shareIsEditor(s)) continue;
        if (shareIsGroup(s) ? groups.has(shareId(s)) : shareId(s) === user) return true;
      }
    }
    return false;
  }

  /** A user some share on the chain grants `action` to, or undefined when none does. */
  grantee(action: Action, document: number, rng: Random): number | undefined {
    const grants: number[] = [];
    for (const node of this.chain(document)) for (const s of this.shares[node] ?? []) if (action === 'view' || shareIsEditor(s)) grants.push(s);
    for (let attempt = 0; attempt < 4 && grants.length > 0; attempt++) {
      const s = rng.pick(grants);
      if (!shareIsGroup(s)) return shareId(s);
      // A member of the group or of a group nested under it.
      const members: number[] = [];
      const stack = [shareId(s)];
      const seen = new Set<number>();
      while (stack.length > 0) {
        const g = stack.pop()!;
        if (seen.has(g)) continue;
        seen.add(g);
        for (const u of this.groupUsers[g]!) members.push(u);
        for (const c of this.groupChildren[g]!) stack.push(c);
      }
      if (members.length > 0) return rng.pick(members);
    }
    return undefined;
  }
}

/** Spreads `count` items over `levels` levels, every level non-empty: the first index of each level (and the end). */
function levelStarts(count: number, levels: number): number[] {
  return Array.from({ length: levels + 1 }, (_, k) => Math.round((k * count) / levels));
}

export function generateDrive(params: DriveParams, seed: number): { relationships: string[]; steps: unknown[] } {
  const { relationships: total, depth, groupDepth, memberships } = params;
  const rng = mulberry32(seed);
  const folders = Math.max(depth, Math.round(total * FOLDERS));
  const drive = new Drive(folders, Math.round(total * DOCUMENTS), Math.max(memberships + 1, Math.round(total * USERS)), Math.max(groupDepth * 2, Math.round(total * GROUPS)));
  const out: string[] = [];

  // Folder trees: folders spread evenly over `depth` levels; level 0 are the drives' roots.
  const folderLevels = levelStarts(folders, depth);
  for (let level = 1; level < depth; level++) {
    const [above, from, to] = [folderLevels[level - 1]!, folderLevels[level]!, folderLevels[level + 1]!];
    for (let f = from; f < to; f++) {
      const parent = above + rng.int(from - above);
      drive.folderParent[f] = parent;
      out.push(`folder:f${f}#parent@folder:f${parent}`);
    }
  }
  // Documents: half in the deepest folders, half anywhere.
  const deepest = folderLevels[depth - 1]!;
  for (let d = 0; d < drive.documents; d++) {
    const folder = rng.chance(0.5) ? deepest + rng.int(folders - deepest) : rng.int(folders);
    drive.documentFolder[d] = folder;
    out.push(`document:d${d}#parent@folder:f${folder}`);
  }
  // Nested groups: `groupDepth` levels; each group below the top is in one group of the level above, some in two.
  const groupLevels = levelStarts(drive.groups, groupDepth);
  for (let level = 1; level < groupDepth; level++) {
    const [above, from, to] = [groupLevels[level - 1]!, groupLevels[level]!, groupLevels[level + 1]!];
    for (let g = from; g < to; g++) {
      const width = from - above;
      const first = rng.int(width);
      // A second parent: another group of the level above.
      const parents = rng.chance(SECOND_PARENT) && width > 1 ? [first, (first + 1 + rng.int(width - 1)) % width] : [first];
      for (const p of parents.map((i) => above + i)) {
        drive.groupParents[g]!.push(p);
        drive.groupChildren[p]!.push(g);
        out.push(`group:g${p}#member@group:g${g}#member`);
      }
    }
  }
  // Users: each a direct member of `memberships` distinct groups.
  for (let u = 0; u < drive.users; u++) {
    const mine = new Set<number>();
    while (mine.size < Math.min(memberships, drive.groups)) mine.add(rng.int(drive.groups));
    for (const g of mine) {
      drive.userGroups[u]!.push(g);
      drive.groupUsers[g]!.push(u);
      out.push(`group:g${g}#member@user:u${u}`);
    }
  }
  if (out.length > total) {
    throw new Error(`drive: folders, documents and memberships alone make ${out.length} relationships, more than relationships = ${total}; raise relationships or lower memberships`);
  }
  // Shares until the total: distinct (node, subject, relation).
  const seen = new Set<number>();
  while (out.length < total) {
    const onFolder = rng.chance(FOLDER_SHARES);
    const node = onFolder ? rng.int(folders) : folders + rng.int(drive.documents);
    const group = rng.chance(GROUP_SHARES);
    const s = share(group ? rng.int(drive.groups) : rng.int(drive.users), group, rng.chance(EDITOR_SHARES));
    const key = node * 4 * Math.max(drive.users, drive.groups) + s;
    if (seen.has(key)) continue;
    seen.add(key);
    const shares = drive.shares[node] ?? [];
    shares.push(s);
    drive.shares[node] = shares;
    const object = onFolder ? `folder:f${node}` : `document:d${node - folders}`;
    const subject = group ? `group:g${shareId(s)}#member` : `user:u${shareId(s)}`;
    out.push(`${object}#${shareIsEditor(s) ? 'editor' : 'viewer'}@${subject}`);
  }
  return { relationships: out, steps: checkSteps(driveChecks(drive, params.checks, rng)) };
}

/** `count` distinct checks: hot and cold documents, about half built to be allowed, every expectation from the rule. */
function driveChecks(drive: Drive, count: number, rng: Random): Parameters<typeof checkSteps>[0] {
  const hot = Math.max(1, Math.round(drive.documents * HOT_DOCUMENTS));
  // At most half of all possible checks, so that drawing distinct ones stays quick.
  const wanted = Math.min(count, Math.floor((drive.users * 2 * drive.documents) / 2));
  const asked = new Set<string>();
  const checks: Parameters<typeof checkSteps>[0] = [];
  while (checks.length < wanted) {
    const document = rng.chance(HOT_CHECKS) || hot === drive.documents ? rng.int(hot) : hot + rng.int(drive.documents - hot);
    const action: Action = rng.chance(EDIT_CHECKS) ? 'edit' : 'view';
    const user = (rng.chance(ALLOW_TARGET) ? drive.grantee(action, document, rng) : undefined) ?? deniedUser(drive, action, document, rng);
    const key = `${user} ${action} ${document}`;
    if (asked.has(key)) continue;
    asked.add(key);
    const expect = drive.allows(user, action, document) ? 'allow' : 'deny';
    checks.push({ subject: `user:u${user}`, action, resource: `document:d${document}`, expect });
  }
  return checks;
}

/** A random user, drawn again (a few times) while the rule allows it: in a small, dense store most users reach most documents. */
function deniedUser(drive: Drive, action: Action, document: number, rng: Random): number {
  let user = rng.int(drive.users);
  for (let attempt = 0; attempt < 32 && drive.allows(user, action, document); attempt++) user = rng.int(drive.users);
  return user;
}

export default {
  name: 'drive',
  description: 'Drive-like: documents in folder trees depth levels deep, shared with users and nested groups; exact relationship total; distinct hot/cold checks, about half allowed.',
  params: {
    relationships: { default: 10_000, min: 1_000, max: 2_000_000, description: 'relationships in all (folders, documents, memberships, shares)' },
    depth: { default: 10, min: 1, max: 64, description: 'folder levels (a document sits one level below its folder)' },
    groupDepth: { default: 4, min: 1, max: 16, description: 'levels of nested groups' },
    memberships: { default: 3, min: 1, max: 20, description: 'groups each user is a direct member of' },
    checks: { default: 1000, min: 1, max: 100_000, description: 'distinct checks' },
  },
  estimate: ({ relationships, checks }: Record<string, number>) => relationships! + checks!,
  generate: (params: Record<string, number>, seed: number) => generateDrive(params as unknown as DriveParams, seed),
};

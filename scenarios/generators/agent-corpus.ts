// agent-corpus: one tenant's documents in a two-level folder tree, shared to nested groups, and
// agents whose task grants cover some folders. Model (scenarios/search/search-agent-retrieval.yaml):
// a folder viewer (user, agent or group member) views the folder, its subfolders and their
// documents. Tree: `roots` top folders r<i>, each with `subfolders` subfolders r<i>-s<j>, each
// with `docs` documents r<i>-s<j>-d<k>. Group team<i> is a viewer of root r<i>; group all<i>
// holds team<i> (nested), and user u<i> is a member of all<i>. Agents: `agent:narrow` is a viewer
// of one subfolder, `agent:wide` of one root, `agent:broad` of `broadRoots` roots (result sets of
// docs, subfolders x docs and broadRoots x subfolders x docs documents).
// Expected answers by that rule: the documents under the folders each subject is a viewer of.

import { mulberry32 } from './random.ts';

export default {
  name: 'agent-corpus',
  description: 'A tenant corpus of roots x subfolders x docs documents shared to nested groups; agents with task grants of three sizes; resource and subject searches.',
  params: {
    roots: { default: 10, min: 1, max: 10_000, description: 'top folders, one team group each' },
    subfolders: { default: 10, min: 1, max: 10_000, description: 'subfolders per top folder' },
    docs: { default: 10, min: 1, max: 10_000, description: 'documents per subfolder' },
    broadRoots: { default: 5, min: 1, max: 10_000, description: 'top folders granted to agent:broad' },
  },
  estimate: ({ roots, subfolders, docs, broadRoots }: Record<string, number>) => roots! * subfolders! * (docs! + 2) + roots! * 2 + broadRoots!,
  generate(params: Record<string, number>, seed: number) {
    const { roots, subfolders, docs, broadRoots } = params as Record<'roots' | 'subfolders' | 'docs' | 'broadRoots', number>;
    const rng = mulberry32(seed);
    const relationships: string[] = [];
    const docsUnder = (root: number, sub?: number) => {
      const ids: string[] = [];
      for (let s = 0; s < subfolders; s++) {
        if (sub !== undefined && s !== sub) continue;
        for (let d = 0; d < docs; d++) ids.push(`r${root}-s${s}-d${d}`);
      }
      return ids;
    };
    for (let r = 0; r < roots; r++) {
      relationships.push(`folder:r${r}#viewer@group:team${r}#member`, `group:all${r}#member@group:team${r}#member`, `group:team${r}#member@user:u${r}`);
      for (let s = 0; s < subfolders; s++) {
        relationships.push(`folder:r${r}-s${s}#parent@folder:r${r}`);
        for (let d = 0; d < docs; d++) relationships.push(`document:r${r}-s${s}-d${d}#parent@folder:r${r}-s${s}`);
      }
    }
    const narrowRoot = rng.int(roots);
    const narrowSub = rng.int(subfolders);
    const wideRoot = rng.int(roots);
    const broad = rng.sample([...Array(roots).keys()], Math.min(broadRoots, roots)).sort((a, b) => a - b);
    relationships.push(`folder:r${narrowRoot}-s${narrowSub}#viewer@agent:narrow`, `folder:r${wideRoot}#viewer@agent:wide`);
    for (const r of broad) relationships.push(`folder:r${r}#viewer@agent:broad`);
    const user = rng.int(roots);
    const probe = `r${user}-s${rng.int(subfolders)}-d${rng.int(docs)}`;
    const steps = [
      {
        name: `agent:narrow: one subfolder (${docs} documents)`,
        searchResources: { subject: 'agent:narrow', action: 'view', resource: { type: 'document' } },
        expect: docsUnder(narrowRoot, narrowSub),
      },
      {
        name: `agent:wide: one top folder (${subfolders * docs} documents)`,
        searchResources: { subject: 'agent:wide', action: 'view', resource: { type: 'document' } },
        expect: docsUnder(wideRoot),
      },
      {
        name: `agent:broad: ${broad.length} top folders (${broad.length * subfolders * docs} documents)`,
        searchResources: { subject: 'agent:broad', action: 'view', resource: { type: 'document' } },
        expect: broad.flatMap((r) => docsUnder(r)),
      },
      { name: `user u${user} through nested groups`, searchResources: { subject: `user:u${user}`, action: 'view', resource: { type: 'document' } }, expect: docsUnder(user) },
      { name: 'an agent with no grant sees nothing', searchResources: { subject: 'agent:idle', action: 'view', resource: { type: 'document' } }, expect: [] },
      { name: `who (users) may view document:${probe}`, searchSubjects: { subject: { type: 'user' }, action: 'view', resource: `document:${probe}` }, expect: [`u${user}`] },
      {
        name: `which agents may view document:${probe}`,
        searchSubjects: { subject: { type: 'agent' }, action: 'view', resource: `document:${probe}` },
        expect: [
          ...(narrowRoot === user && probe.startsWith(`r${user}-s${narrowSub}-`) ? ['narrow'] : []),
          ...(wideRoot === user ? ['wide'] : []),
          ...(broad.includes(user) ? ['broad'] : []),
        ].sort(),
      },
      { name: `a check beside the searches: u${user} views ${probe}`, check: { subject: `user:u${user}`, action: 'view', resource: `document:${probe}` }, expect: 'allow' },
    ];
    return { relationships, steps };
  },
};

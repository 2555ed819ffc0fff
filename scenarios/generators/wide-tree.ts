// wide-tree: one root folder with `width` subfolders, each holding `docs` documents.
// Model it expects (see scenarios/hierarchy/hierarchy-wide-tree.yaml): as deep-tree, plus a
// direct `viewer` on documents. Expected answers from that model: a viewer of a subfolder views
// its documents only; `root` (viewer of the root) views everything; a direct document viewer
// views that document only. Viewers, their folders and the sampled checks come from the seed.

import { checkSteps, mulberry32 } from './random.ts';

export default {
  name: 'wide-tree',
  description: 'A root folder with width subfolders of docs documents each; seeded folder and document viewers; sampled checks.',
  params: {
    width: { default: 20, min: 1, max: 1_000_000, description: 'subfolders under the root' },
    docs: { default: 5, min: 1, max: 1000, description: 'documents per subfolder' },
    viewers: { default: 10, min: 1, max: 10000, description: 'users, each a viewer of one subfolder or one document' },
    checks: { default: 30, min: 1, max: 100000, description: 'sampled checks' },
  },
  estimate: ({ width, docs, viewers, checks }: Record<string, number>) => width! * (docs! + 1) + viewers! + checks!,
  generate(params: Record<string, number>, seed: number) {
    const { width, docs, viewers } = params as Record<string, number>;
    const rng = mulberry32(seed);
    const relationships: string[] = ['folder:root#viewer@user:root'];
    for (let f = 0; f < width!; f++) {
      relationships.push(`folder:f${f}#parent@folder:root`);
      for (let d = 0; d < docs!; d++) relationships.push(`document:f${f}-d${d}#parent@folder:f${f}`);
    }
    // user u<i> is a viewer of one subfolder (even i) or one document (odd i)
    const grants: { folder?: number; doc?: string }[] = [];
    for (let u = 0; u < viewers!; u++) {
      if (u % 2 === 0) {
        const folder = rng.int(width!);
        grants.push({ folder });
        relationships.push(`folder:f${folder}#viewer@user:u${u}`);
      } else {
        const doc = `f${rng.int(width!)}-d${rng.int(docs!)}`;
        grants.push({ doc });
        relationships.push(`document:${doc}#viewer@user:u${u}`);
      }
    }
    const checks: Parameters<typeof checkSteps>[0] = [];
    for (let c = 0; c < params.checks!; c++) {
      const f = rng.int(width!);
      const d = rng.int(docs!);
      const doc = `f${f}-d${d}`;
      if (c % 5 === 0) {
        checks.push({ subject: 'user:root', action: 'view', resource: `document:${doc}`, expect: 'allow' });
        continue;
      }
      const u = rng.int(viewers!);
      const g = grants[u]!;
      // Half of the checks aim at a document the user can see, half at a random one.
      const target = rng.chance(0.5) ? (g.folder !== undefined ? `f${g.folder}-d${d}` : g.doc!) : doc;
      const allowed = g.folder !== undefined ? target.startsWith(`f${g.folder}-`) : target === g.doc;
      checks.push({ subject: `user:u${u}`, action: 'view', resource: `document:${target}`, expect: allowed ? 'allow' : 'deny' });
    }
    return { relationships, steps: checkSteps(checks) };
  },
};

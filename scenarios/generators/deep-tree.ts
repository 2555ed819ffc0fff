// deep-tree: a chain of nested folders `depth` levels deep with a document at the bottom.
// Model it expects (see scenarios/hierarchy/hierarchy-depth-sweep.yaml):
//   folder: parent [folder], viewer [user]; view = viewer | parent->view
//   document: parent [folder]; view = parent->view
// Expected answers follow from that model: a viewer of folder level k views every folder at
// level >= k and the document, and nothing above level k. Viewers are placed at levels drawn
// from the seed; `root` is at level 0, `stranger` has no tuple.

import { checkSteps, mulberry32 } from './random.ts';

export default {
  name: 'deep-tree',
  description: 'A chain of nested folders (depth levels) with a document at the bottom and viewers at seeded levels.',
  params: {
    depth: { default: 8, min: 1, max: 64, description: 'number of nested folders' },
    viewers: { default: 3, min: 0, max: 100, description: 'extra viewers at random levels' },
  },
  generate(params: Record<string, number>, seed: number) {
    const depth = params.depth!;
    const rng = mulberry32(seed);
    const relationships: string[] = ['folder:l0#viewer@user:root'];
    for (let i = 1; i < depth; i++) relationships.push(`folder:l${i}#parent@folder:l${i - 1}`);
    relationships.push(`document:leaf#parent@folder:l${depth - 1}`);
    const levels: number[] = [];
    for (let v = 0; v < params.viewers!; v++) {
      const level = rng.int(depth);
      levels.push(level);
      relationships.push(`folder:l${level}#viewer@user:v${v}`);
    }
    const checks: Parameters<typeof checkSteps>[0] = [
      { subject: 'user:root', action: 'view', resource: 'document:leaf', expect: 'allow', name: `root viewer through ${depth} levels` },
      { subject: 'user:root', action: 'view', resource: `folder:l${depth - 1}`, expect: 'allow' },
      { subject: 'user:stranger', action: 'view', resource: 'document:leaf', expect: 'deny', name: 'no tuple at any level' },
    ];
    levels.forEach((level, v) => {
      checks.push({ subject: `user:v${v}`, action: 'view', resource: 'document:leaf', expect: 'allow', name: `viewer at level ${level} reaches the leaf` });
      if (level > 0) checks.push({ subject: `user:v${v}`, action: 'view', resource: `folder:l${rng.int(level)}`, expect: 'deny', name: `viewer at level ${level}: nothing above` });
    });
    return { relationships, steps: checkSteps(checks) };
  },
};

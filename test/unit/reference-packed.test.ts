// The subjects' direct tuples packed after a bulk write (src/reference/packed-subjects.ts)
// against the by-subject lists they stand for: one engine loaded in one write (packed), one in
// writes too small to pack, then the same random writes and deletes (a changed subject reads its
// list again); every check must get the same decision, reason and chain.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { generateDrive } from '../../scenarios/generators/drive.ts';
import { formatRelationship, parseObject } from '../../src/core/relationship.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import { parseModel } from '../../src/model/parse.ts';
import { ReferenceEngine } from '../../src/reference/engine.ts';
import { rel } from '../helpers/model.ts';

const FILE = 'scenarios/scale/scale-drive.yaml';
const MODEL = parseModel((parseYaml(readFileSync(FILE, 'utf8')) as { model: unknown }).model, FILE, 'model');
const DRIVE = generateDrive({ relationships: 3000, depth: 6, groupDepth: 3, memberships: 2, checks: 150 }, 7);
const CHECKS: CheckRequest[] = (DRIVE.steps as { check: { subject: string; action: string; resource: string } }[]).map(({ check }) => ({
  subject: parseObject(check.subject)!,
  action: { name: check.action },
  resource: parseObject(check.resource)!,
}));
// Changes draw from the checks' subjects' own direct relationships in the dataset (deleting one can
// deny a check) and from new shares of the checked documents to them (writing one allows it).
const SUBJECTS = new Set(CHECKS.map((c) => `${c.subject.type}:${c.subject.id}`));
const POOL = [
  ...DRIVE.relationships.filter((r) => SUBJECTS.has(r.slice(r.indexOf('@') + 1))),
  ...CHECKS.flatMap((c) => [`${c.resource.type}:${c.resource.id}#viewer@${c.subject.type}:${c.subject.id}`, `${c.resource.type}:${c.resource.id}#editor@${c.subject.type}:${c.subject.id}`]),
];

const answers = (engine: ReferenceEngine) =>
  CHECKS.map((request) => {
    const decision = engine.check(request);
    return { allowed: decision.allowed, reason: decision.reason, chain: decision.chain.map(formatRelationship) };
  });

describe('packed subject lists give the answers of the lists they stand for', () => {
  it('a bulk-loaded engine and one loaded in small writes agree, after every random write and delete', () => {
    const all = DRIVE.relationships.map(rel);
    fc.assert(
      fc.property(
        fc.array(fc.record({ write: fc.boolean(), texts: fc.uniqueArray(fc.constantFrom(...POOL), { minLength: 1, maxLength: 30 }) }), { minLength: 1, maxLength: 5 }),
        (changes) => {
          const packed = new ReferenceEngine(MODEL, { decisionLog: false });
          packed.write(all);
          expect(packed.store.packedDirect).toBeDefined();
          const listed = new ReferenceEngine(MODEL, { decisionLog: false });
          for (let i = 0; i < all.length; i += 500) listed.write(all.slice(i, i + 500));
          expect(listed.store.packedDirect).toBeUndefined();
          expect(answers(packed)).toEqual(answers(listed));
          for (const { write, texts } of changes) {
            const rels = texts.map(rel);
            for (const engine of [packed, listed]) write ? engine.write(rels) : engine.delete(rels);
            expect(answers(packed), `after ${write ? 'writing' : 'deleting'} ${texts.join(', ')}`).toEqual(answers(listed));
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('when the store packs again', () => {
  it('after a write of at least 1,024 relationships that is at least half the store, not after every batch of a large one', () => {
    const engine = new ReferenceEngine(MODEL, { decisionLog: false });
    engine.write(DRIVE.relationships.map(rel));
    const first = engine.store.packedDirect;
    expect(first).toBeDefined();
    const shares = (from: number, count: number) => Array.from({ length: count }, (_, i) => rel(`document:d${i}#viewer@user:extra${from + i}`));
    engine.write(shares(0, 1100));
    expect(engine.store.packedDirect).toBe(first);
    engine.write(shares(2000, 5000));
    expect(engine.store.packedDirect).not.toBe(first);
  });
});

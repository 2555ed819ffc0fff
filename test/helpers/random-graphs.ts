// Random relationship graphs on the folder model (see foldersYaml with a `deep` permission):
// cycles, hierarchy, nested groups, exclusion, intersection, wildcards and conditional grants.

import type { Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import type { Model } from '../../src/model/types.ts';
import type { EnginePair } from './conformance.ts';
import { rel, req } from './model.ts';

/** A deterministic pseudo-random source: `random(n)` is in [0, n). */
export function lcg(seed: number): (n: number) => number {
  return (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
}

const USERS = ['u0', 'u1', 'u2', 'u3'];

/** 25 random relationships (fewer after removing repeats) over folders f0-f5, groups g0-g3 and users u0-u3. */
export function randomFolderGraph(random: (n: number) => number): Relationship[] {
  const rels = new Map<string, Relationship>();
  const add = (r: Relationship) => rels.set(`${r.resource.type}:${r.resource.id}#${r.relation}@${r.subject.type}:${r.subject.id}#${r.subject.relation ?? ''}`, r);
  for (let i = 0; i < 25; i++) {
    const f = `folder:f${random(6)}`;
    switch (random(9)) {
      case 0:
        add(rel(`group:g${random(4)}#member@user:${USERS[random(4)]}`));
        break;
      case 1:
        add(rel(`group:g${random(4)}#member@group:g${random(4)}#member`));
        break;
      case 2:
        add(rel(`${f}#parent@folder:f${random(6)}`));
        break;
      case 3:
        add(rel(`${f}#owner@user:${USERS[random(4)]}`));
        break;
      case 4:
        add(rel(`${f}#editor@user:${USERS[random(4)]}`));
        break;
      case 5:
        add(rel(`${f}#blocked@user:${USERS[random(4)]}`));
        break;
      case 6:
        add(rel(random(4) === 0 ? `${f}#viewer@user:*` : `${f}#viewer@group:g${random(4)}#member`));
        break;
      case 7:
        add(rel(`${f}#viewer@user:${USERS[random(4)]}`));
        break;
      case 8:
        add({
          ...rel(`${f}#viewer@user:${USERS[random(4)]}`),
          condition: { name: 'not_expired', parameters: { expires_at: random(2) ? '2030-01-01T00:00:00Z' : '2020-01-01T00:00:00Z' } },
        });
    }
  }
  return [...rels.values()];
}

/** The edges an engine walks through data: nested groups (`member@group#member`) and folder parents. */
function walkEdge(r: Relationship): [string, string] | undefined {
  if ((r.relation === 'member' && r.subject.relation === 'member') || r.relation === 'parent') return [`${r.resource.type}:${r.resource.id}`, `${r.subject.type}:${r.subject.id}`];
  return undefined;
}

function reaches(edges: Map<string, string[]>, from: string, to: string, seen = new Set<string>()): boolean {
  if (from === to) return true;
  if (seen.has(from)) return false;
  seen.add(from);
  return (edges.get(from) ?? []).some((next) => reaches(edges, next, to, seen));
}

/**
 * The graph without the relationships that close a cycle (a group inside itself, a folder its
 * own ancestor), dropped in order as they appear: for engines that do not support recursive
 * data (SpiceDB), so that the differential also covers every check they do decide.
 */
export function withoutCycles(relationships: Relationship[]): Relationship[] {
  const edges = new Map<string, string[]>();
  return relationships.filter((r) => {
    const edge = walkEdge(r);
    if (!edge) return true;
    const [from, to] = edge;
    if (reaches(edges, to, from)) return false;
    edges.set(from, [...(edges.get(from) ?? []), to]);
    return true;
  });
}

/** Whether the graph has a cycle through nested groups or folder parents. */
export function hasCycle(relationships: Relationship[]): boolean {
  return withoutCycles(relationships).length !== relationships.length;
}

/**
 * Loads `model` and `rounds` random graphs (through `transform`, e.g. withoutCycles) into both
 * engines and checks view, edit, read and deep for every user on every folder; returns the
 * disagreements (and the engine's errors).
 */
export async function randomGraphMismatches(
  label: string,
  engines: EnginePair,
  model: Model,
  seed: number,
  rounds = 15,
  transform: (relationships: Relationship[]) => Relationship[] = (r) => r,
): Promise<string[]> {
  const random = lcg(seed);
  const mismatches: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const relationships = transform(randomFolderGraph(random));
    const requests: CheckRequest[] = [];
    for (const user of USERS) {
      for (let f = 0; f < 6; f++) {
        for (const action of ['view', 'edit', 'read', 'deep']) requests.push(req(`user:${user}`, action, `folder:f${f}`, { now: '2026-01-01T00:00:00Z' }));
      }
    }
    for (const engine of [engines.engine, engines.reference]) {
      await engine.loadModel(model);
      await engine.write(relationships);
    }
    const [a, b] = [await engines.engine.checkBatch(requests), await engines.reference.checkBatch(requests)];
    requests.forEach((r, i) => {
      if (a[i]!.allowed !== b[i]!.allowed || a[i]!.error) {
        mismatches.push(`round ${round}: ${r.subject.id} ${r.action.name} ${r.resource.id}: ${label} ${a[i]!.allowed} ${a[i]!.error ?? ''} reference ${b[i]!.allowed}`);
      }
    });
  }
  return mismatches;
}

// What the realistic scale generators (github, saas, agent-fleet) share, so the bench sweeps
// them alike: the generator itself (`scaleGenerator`: params `relationships`, met exactly, and
// `checks`), and the request mix: `checks` distinct checks, an exact
// share of them expected to be allowed, and a hot/cold spread (HOT_CHECKS of the checks go to
// HOT_RESOURCES of the resources). A generator proposes a check for a resource; its own rule
// (what it granted) decides the expected answer; the mix keeps a proposal only when that answer
// is the one the slot needs, so the shares are exact and no answer comes from the proposal.

import type { Relationship } from '../../src/core/relationship.ts';
import { checkSteps, mulberry32, type Random } from './random.ts';

/** Share of the checks expected to be allowed. */
const ALLOW_SHARE = 0.5;

/** Share of checks on the hot resources ... */
const HOT_CHECKS = 0.8;
/** ... which are this share of all resources. */
const HOT_RESOURCES = 0.2;

/** One scale generator: its dataset, its rule, and how its checks read as requests. */
export interface ScaleDataset<W, C> {
  name: string;
  description: string;
  /** Exactly `target` relationships, none twice, and what the rule needs to know of them. */
  build(rng: Random, target: number): { world: W; relationships: Relationship[] };
  /** How many resources the checks are spread over (numbered 0..n-1). */
  resources(world: W): number;
  /** See MixSpec.propose. */
  propose(rng: Random, world: W, resource: number, allow: boolean): C | undefined;
  /** The generator's rule: whether the check is allowed by what it granted. */
  decide(world: W, check: C): boolean;
  /** Identity of a check, for distinctness (without the request time: distinct without it too). */
  key(check: C): string;
  request(world: W, check: C): { subject: string; action: string; resource: string; context?: Record<string, unknown> };
}

/** The generator the loader runs: params `relationships` (exact) and `checks`, a seeded dataset and its request mix. */
export function scaleGenerator<W, C>(dataset: ScaleDataset<W, C>) {
  return {
    name: dataset.name,
    description: dataset.description,
    params: {
      relationships: { default: 10_000, min: 1000, max: 2_000_000, description: 'total relationships (met exactly)' },
      checks: { default: 1000, min: 1, max: 100_000, description: 'distinct checks' },
    },
    /** Relationships and steps it makes (the loader's size guard). */
    estimate: ({ relationships, checks }: Record<string, number>) => relationships! + checks!,
    generate(params: Record<string, number>, seed: number) {
      const rng = mulberry32(seed);
      const { world, relationships } = dataset.build(rng, params.relationships!);
      const mix = mixChecks(rng, {
        count: params.checks!,
        allowShare: ALLOW_SHARE,
        resources: dataset.resources(world),
        propose: (resource, allow) => dataset.propose(rng, world, resource, allow),
        decide: (check) => dataset.decide(world, check),
        key: dataset.key,
      });
      const checks = mix.map(({ check, allowed }) => ({ ...dataset.request(world, check), expect: allowed ? ('allow' as const) : ('deny' as const) }));
      return { relationships, steps: checkSteps(checks) };
    },
  };
}

interface MixedCheck<C> {
  check: C;
  allowed: boolean;
}

interface MixSpec<C> {
  count: number;
  /** Share of the checks whose expected answer is allow. */
  allowShare: number;
  /** Resources are numbered 0..resources-1; which are hot is drawn here. */
  resources: number;
  /** A check on this resource that is likely to be allowed (or denied), or undefined when there is none. */
  propose(resource: number, allow: boolean): C | undefined;
  /** The generator's rule: whether the check is allowed by what it granted. */
  decide(check: C): boolean;
  /** Identity of a check, for distinctness. */
  key(check: C): string;
}

/** Attempts per check before the mix gives up on the temperature it wanted (small datasets run out of distinct hot checks). */
const ATTEMPTS = 200;

/**
 * `count` distinct checks, exactly round(count × allowShare) of them allowed by the rule, about
 * HOT_CHECKS of them on the hot resources. Throws when the dataset is too small for that many
 * distinct checks.
 */
function mixChecks<C>(rng: Random, spec: MixSpec<C>): MixedCheck<C>[] {
  const { count, resources } = spec;
  const order = permutation(rng, resources);
  const hotCount = Math.max(1, Math.round(resources * HOT_RESOURCES));
  const pick = (hot: boolean) => order[hot || hotCount === resources ? rng.int(hotCount) : hotCount + rng.int(resources - hotCount)]!;
  const allowSlots = shuffled(rng, count, Math.round(count * spec.allowShare));
  const hotSlots = shuffled(rng, count, Math.round(count * HOT_CHECKS));
  const seen = new Set<string>();
  const mixed: MixedCheck<C>[] = [];
  for (let slot = 0; slot < count; slot++) {
    const allow = allowSlots[slot] === 1;
    // When the wanted temperature has no distinct check left, the other one is tried.
    const found = draw(spec, allow, () => pick(hotSlots[slot] === 1), seen) ?? draw(spec, allow, () => pick(hotSlots[slot] !== 1), seen);
    if (!found) {
      throw new Error(
        `this dataset has too few distinct checks: after ${mixed.length} of the ${count} asked for, ${2 * ATTEMPTS} attempts found no further ${allow ? 'allowed' : 'denied'} one; raise 'relationships' or lower 'checks'`,
      );
    }
    mixed.push(found);
  }
  return mixed;
}

function draw<C>(spec: MixSpec<C>, allow: boolean, resource: () => number, seen: Set<string>): MixedCheck<C> | undefined {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const check = spec.propose(resource(), allow);
    if (check === undefined || spec.decide(check) !== allow) continue;
    const key = spec.key(check);
    if (seen.has(key)) continue;
    seen.add(key);
    return { check, allowed: allow };
  }
  return undefined;
}

/** 0..n-1 in a seeded order. */
function permutation(rng: Random, n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** n flags, exactly `ones` of them 1, in a seeded order. */
function shuffled(rng: Random, n: number, ones: number): Uint8Array {
  const flags = new Uint8Array(n);
  const order = permutation(rng, n);
  for (let i = 0; i < ones; i++) flags[order[i]!] = 1;
  return flags;
}

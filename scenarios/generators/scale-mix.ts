// What the realistic scale generators (github, saas, agent-fleet) share, so the bench sweeps
// them alike: the two size params, and the request mix: `checks` distinct checks, an exact
// share of them expected to be allowed, and a hot/cold spread (HOT_CHECKS of the checks go to
// HOT_RESOURCES of the resources). A generator proposes a check for a resource; its own rule
// (what it granted) decides the expected answer; the mix keeps a proposal only when that answer
// is the one the slot needs, so the shares are exact and no answer comes from the proposal.

import type { Random } from './random.ts';

/** The params every scale generator takes, with its own default size. */
export function scaleParams(defaultRelationships: number) {
  return {
    relationships: { default: defaultRelationships, min: 1000, max: 2_000_000, description: 'total relationships (met exactly)' },
    checks: { default: 1000, min: 1, max: 100_000, description: 'distinct checks' },
  };
}

/** Relationships and steps a scale generator makes (the loader's size guard). */
export const scaleEstimate = ({ relationships, checks }: Record<string, number>) => relationships! + checks!;

/** Share of checks on the hot resources ... */
export const HOT_CHECKS = 0.8;
/** ... which are this share of all resources. */
export const HOT_RESOURCES = 0.2;

export interface MixedCheck<C> {
  check: C;
  allowed: boolean;
}

export interface MixSpec<C> {
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
export function mixChecks<C>(rng: Random, spec: MixSpec<C>): MixedCheck<C>[] {
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

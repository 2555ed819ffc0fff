// A tiny seeded PRNG (mulberry32) for scenario generators: the same seed gives the same
// scenario on every machine and for every engine. Never use Math.random in a generator.

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** `k` distinct elements (or all of them when k >= length), in a random order. */
  sample<T>(items: readonly T[], k: number): T[];
  /** True with probability p. */
  chance(p: number): boolean;
}

export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (items) => items[int(items.length)]!,
    sample(items, k) {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      }
      return copy.slice(0, Math.min(k, copy.length));
    },
    chance: (p) => next() < p,
  };
}

/** Checks as YAML-form steps: one `check` step each. */
export function checkSteps(
  checks: { subject: string | object; action: string | object; resource: string | object; expect: 'allow' | 'deny'; name?: string; context?: Record<string, unknown> }[],
): unknown[] {
  return checks.map(({ expect, name, ...check }) => ({ check, expect, ...(name ? { name } : {}) }));
}

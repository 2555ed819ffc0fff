// The policy sets the adapter preparses in cedar-wasm. The model's policies are one set. A
// conditional relationship is a policy scoped to its subject (`principal == user::"tim"`, or
// `principal is user` for `user:*`; grants.ts), which Cedar skips for any other principal, but
// only after testing its scope: with thousands of them every check pays for all (measured:
// 5 000 conditional relationships, p50 41 ms a check). So a request gets the model's policies
// plus the grants whose scope can match its principal (its own, its type's wildcard): the same
// answer, since Cedar would skip the others by their scope. Such sets are preparsed per
// principal into a pool of set ids, the least recently used reused first.

import type { GrantPolicies } from './grants.ts';
import { callCedar, generation } from './wasm.ts';

interface Grant {
  /** `type:id` of the subject, or `type:*`. */
  subject: string;
  grant: GrantPolicies;
}

export class PolicySets {
  private base = new Map<string, string>();
  private baseVersion = 0;
  private readonly grants = new Map<string, Grant>();
  private readonly bySubject = new Map<string, Set<string>>();
  private readonly subjectVersion = new Map<string, number>();
  /** Preparsed sets: whose grants they hold (`type:id type:*`, `type:id`, `type:*`, or '' for the model alone) -> set id and what it holds; oldest first. */
  private readonly slots = new Map<string, { id: string; stamp: string }>();
  private nextSlot = 0;

  constructor(
    private readonly prefix: string,
    private readonly capacity = 64,
  ) {}

  /** A new model (or native policies): every set is out of date. */
  setBase(policies: Map<string, string>): void {
    this.base = policies;
    this.baseVersion++;
  }

  clearGrants(): void {
    for (const subject of this.bySubject.keys()) this.bump(subject);
    this.grants.clear();
    this.bySubject.clear();
  }

  /** Sets (or, with no policies, removes) the grant of one relationship. */
  setGrant(key: string, subject: string, grant: GrantPolicies | undefined): void {
    const old = this.grants.get(key);
    if (old) {
      this.bySubject.get(old.subject)?.delete(key);
      this.bump(old.subject);
      this.grants.delete(key);
    }
    if (!grant) return;
    this.grants.set(key, { subject, grant });
    let keys = this.bySubject.get(subject);
    if (!keys) {
      keys = new Set();
      this.bySubject.set(subject, keys);
    }
    keys.add(key);
    this.bump(subject);
  }

  private bump(subject: string): void {
    this.subjectVersion.set(subject, (this.subjectVersion.get(subject) ?? 0) + 1);
  }

  private grantsOf(subject: string): Grant[] {
    return [...(this.bySubject.get(subject) ?? [])].map((k) => this.grants.get(k)!);
  }

  /** Why a principal's grants give nothing (undefined condition, invalid bound parameter). */
  problemsFor(type: string, id: string): string[] {
    return [...this.grantsOf(`${type}:${id}`), ...this.grantsOf(`${type}:*`)].flatMap((g) => (g.grant.problem ? [g.grant.problem] : []));
  }

  /** Every policy: the model's and every grant's (for debugging and validation). */
  all(): Map<string, string> {
    const policies = new Map(this.base);
    for (const { grant } of this.grants.values()) for (const [id, text] of grant.policies) policies.set(id, text);
    return policies;
  }

  /** The preparsed set for a request by `type:id`, preparsed now when out of date; `withoutWildcard`: without the `type:*` grants. */
  setFor(type: string, id: string, withoutWildcard = false): string {
    const candidates = new Set([`${type}:${id}`, ...(withoutWildcard ? [] : [`${type}:*`])]);
    const subjects = [...candidates].filter((s) => (this.bySubject.get(s)?.size ?? 0) > 0);
    const slotKey = subjects.join(' ');
    const stamp = [generation(), this.baseVersion, ...subjects.map((s) => `${s}=${this.subjectVersion.get(s) ?? 0}`)].join(' ');
    let slot = this.slots.get(slotKey);
    if (slot)
      this.slots.delete(slotKey); // re-inserted below: most recently used last
    else if (this.slots.size < this.capacity) slot = { id: `${this.prefix}-${this.nextSlot++}`, stamp: '' };
    else {
      const [oldest, reused] = this.slots.entries().next().value!;
      this.slots.delete(oldest);
      slot = { id: reused.id, stamp: '' };
    }
    this.slots.set(slotKey, slot);
    if (slot.stamp !== stamp) {
      const policies = new Map(this.base);
      for (const subject of subjects) for (const { grant } of this.grantsOf(subject)) for (const [policyId, text] of grant.policies) policies.set(policyId, text);
      const setId = slot.id;
      const answer = callCedar((cedar) => cedar.preparsePolicySet(setId, { staticPolicies: Object.fromEntries(policies) }));
      if (answer.type === 'failure') throw new Error(`cedar rejected the policies: ${answer.errors.map((e) => e.message).join('; ')}`);
      slot.stamp = stamp;
    }
    return slot.id;
  }
}

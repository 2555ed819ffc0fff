// A scenario after loading: the model, its relationships and ordered steps. The YAML
// form is documented in docs/scenarios.md and schemas/scenario.schema.json.

import type { NativeSpec } from '../core/adapter.ts';
import type { Relationship } from '../core/relationship.ts';
import type { CheckRequest } from '../core/request.ts';
import type { SearchQuery } from '../core/search.ts';
import type { Model } from '../model/types.ts';

export type Expectation = 'allow' | 'deny';

export interface Scenario {
  id: string;
  title: string;
  description: string;
  tags: string[];
  /** The file it was loaded from, for messages. */
  file: string;
  model: Model;
  relationships: Relationship[];
  steps: Step[];
  /** Requests timed by the benchmark phase; by default every check step's request. */
  benchmark: CheckRequest[];
  /** Time the first check after a fresh load and after a restart, against the steady state (src/runner/cold-start.ts). */
  coldStart?: boolean;
  /** Per engine id: the policy and data in that engine's own language (native mode). */
  native: Record<string, NativeSpec>;
  /** The generator its `generate:` block names, when it has one (its params can be given with --param). */
  generator?: string;
}

export type Step = CheckStep | BatchStep | WriteStep | DeleteStep | UpdateModelStep | RevocationStep | ExpectLogStep | SearchStep;

interface StepBase {
  /** Position in the file's `steps` list, for messages (`steps[3]`). */
  index: number;
  /** Optional label shown in reports. */
  name?: string;
}

export interface CheckStep extends StepBase {
  kind: 'check';
  request: CheckRequest;
  expect: Expectation;
}

export interface BatchStep extends StepBase {
  kind: 'batch';
  requests: CheckRequest[];
  expect: Expectation[];
}

export interface WriteStep extends StepBase {
  kind: 'write';
  relationships: Relationship[];
}

export interface DeleteStep extends StepBase {
  kind: 'delete';
  relationships: Relationship[];
}

export interface UpdateModelStep extends StepBase {
  kind: 'updateModel';
  model: Model;
}

/**
 * The timeline protocol: the check must be allowed; then the revocation is applied and
 * acknowledged; then the check is repeated until it is denied, counting stale allows.
 */
export interface RevocationStep extends StepBase {
  kind: 'revocation';
  request: CheckRequest;
  revoke: { delete?: Relationship[] | undefined; write?: Relationship[] | undefined; model?: Model | undefined };
  /** Which revocation path this is: relationship, group-membership, policy, expiry... */
  path: string;
  timeoutMs: number;
  intervalMs: number;
  /**
   * The "new enemy" variant (Zanzibar's zookie protocol): instead of polling, one check at
   * least as fresh as the revocation's own consistency token must deny. Engines without
   * tokens report it unsupported (the revocation is still applied and polled until denied).
   */
  newEnemy: boolean;
  /** Pollers checking at once after the acknowledgement; the step's figures give the first deny and the moment every poller denies. */
  pollers: number;
  /** Set: the timeline runs while a background load checks and writes (docs/benchmarking.md, "Revocation under load"). */
  load?: RevocationLoad | undefined;
  /**
   * The new-enemy variant with content: after the revocation, this content is written (the
   * Zanzibar example: a document added to the folder the user lost) and `request` on it
   * must deny at the content write's token.
   */
  content?: { write: Relationship[]; request: CheckRequest } | undefined;
}

/** The background of a revocation under load: checks at a fixed rate, unrelated writes, a warm-up. */
export interface RevocationLoad {
  /** Background checks per second; absent: a share of the maximum a short closed loop measures first. */
  rate?: number | undefined;
  /** Open-loop connections (concurrent senders) of the background checks. */
  connections: number;
  /** Unrelated writes per second (a harness tuple written, then deleted), over `writers` senders. */
  writeRate: number;
  writers: number;
  /** Background load before the revocation, so that caches are warm when it lands. */
  warmupMs: number;
  /** The load runs at least this long after the revocation (its p99 is taken over that window). */
  windowMs: number;
}

export type LogField = 'subject' | 'action' | 'resource' | 'context' | 'allowed' | 'reason';

/** Every check made so far in the scenario must appear in the engine's own log. */
export interface ExpectLogStep extends StepBase {
  kind: 'expectLog';
  fields: LogField[];
  /** How long to wait for the engine to deliver its log. */
  timeoutMs: number;
}

/** One of the three AuthZEN searches; `expect` is the complete answer, in any order. */
export interface SearchStep extends StepBase {
  kind: 'search';
  query: SearchQuery;
  expect: string[];
}

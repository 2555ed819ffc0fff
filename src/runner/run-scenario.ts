// Runs one scenario's conformance steps on one engine and turns every step into cases.
// It never throws for an engine's failure: a crash or a wrong answer is a result.

import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineAdapter } from '../core/adapter.ts';
import { formatRelationship } from '../core/relationship.ts';
import { describeRequest, type CheckRequest, type Decision } from '../core/request.ts';
import type { Model } from '../model/types.ts';
import type { CaseResult, RevocationFigures } from '../results/types.ts';
import { forEachScenarioObject } from '../scenario/objects.ts';
import type { BatchStep, CheckStep, ExpectLogStep, RevocationStep, Scenario, Step } from '../scenario/types.ts';
import { auditComplete, measureAudit, type SentCheck } from './audit.ts';
import { resolveRelationships, resolveRequest } from './now.ts';
import { errorMessage } from '../core/errors.ts';
import { runSearch } from './search.ts';
import { runWithDeadline } from '../core/deadline.ts';
import { LOAD_DEADLINE_MS, loadScenario, nativeSpecFor } from './load-scenario.ts';
import { type RunningLoad, startBackgroundLoad } from './revocation-load.ts';
import { pollUntilAllDeny } from './revocation-pollers.ts';

export interface ScenarioRunOptions {
  /** Deadline for one engine call. */
  checkTimeoutMs: number;
  /** Called as each case finishes, so results are on disk before the run ends. */
  onCase?: (result: CaseResult) => void;
}

export interface ScenarioRun {
  scenario: string;
  engine: string;
  cases: CaseResult[];
  /** Set when the engine stopped answering (crash, hang): why. The rest of its run is skipped. */
  engineFailure?: string;
  /** The engine ran the scenario's native policy, not the neutral model's translation. */
  native?: boolean;
}

const DEFAULTS: ScenarioRunOptions = { checkTimeoutMs: 10_000 };
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Every model a scenario loads: the main one, policy updates and revocation models. */
export function scenarioModels(scenario: Scenario): Model[] {
  const models = [scenario.model];
  for (const step of scenario.steps) {
    if (step.kind === 'updateModel') models.push(step.model);
    if (step.kind === 'revocation' && step.revoke.model) models.push(step.revoke.model);
  }
  return models;
}

export function unsupportedReasons(scenario: Scenario, adapter: EngineAdapter): string[] {
  const reasons = new Set(scenarioModels(scenario).flatMap((m) => adapter.unsupported(m)));
  const changesPolicy = scenario.steps.some((s) => s.kind === 'updateModel' || (s.kind === 'revocation' && s.revoke.model));
  if (changesPolicy && !adapter.updateModel) reasons.add('policy update: the adapter cannot change the policy at run time');
  const changesData = scenario.steps.some((s) => s.kind === 'write' || s.kind === 'delete' || s.kind === 'updateModel' || s.kind === 'revocation');
  if (changesData && adapter.readOnly) reasons.add(`steps that change policy or data: ${adapter.readOnly}`);
  for (const reason of objectReasons(scenario, adapter)) reasons.add(reason);
  return [...reasons];
}

/** Objects the engine cannot take: the first few reasons, then how many more objects. */
function objectReasons(scenario: Scenario, adapter: EngineAdapter, shown = 3): string[] {
  const judge = adapter.unsupportedObject;
  if (!judge) return [];
  const reasons = new Set<string>();
  const more = new Set<string>();
  forEachScenarioObject(scenario, (object, role) => {
    const reason = judge(object, role);
    if (reason) (reasons.size < shown || reasons.has(reason) ? reasons : more).add(reason);
  });
  return more.size > 0 ? [...reasons, `and ${more.size} more object(s) the engine cannot take`] : [...reasons];
}

export async function runScenario(scenario: Scenario, adapter: EngineAdapter, options: Partial<ScenarioRunOptions> = {}): Promise<ScenarioRun> {
  const opts = { ...DEFAULTS, ...options };
  const engine = adapter.id;
  const cases: CaseResult[] = [];
  let engineFailure: string | undefined;
  const emit = (c: Omit<CaseResult, 'engine' | 'scenario'>) => {
    const result = { engine, scenario: scenario.id, ...c };
    cases.push(result);
    opts.onCase?.(result);
  };
  /** After an error, asks the engine whether it is still there. */
  const checkHealth = async () => {
    if (!adapter.health) return;
    engineFailure = await runWithDeadline(5000, 'health', () => adapter.health!()).catch((error) => errorMessage(error));
  };
  // Each engine call runs under its deadline: a hung server is abandoned, an embedded engine stops itself (src/core/deadline.ts).
  const call = <T>(start: () => Promise<T>, what: string) => runWithDeadline(opts.checkTimeoutMs, what, start);
  const setupMs = Math.max(opts.checkTimeoutMs, LOAD_DEADLINE_MS);

  const unsupported = nativeSpecFor(scenario, adapter) ? [] : unsupportedReasons(scenario, adapter);
  if (unsupported.length > 0) {
    emit({ step: -1, kind: 'scenario', status: 'unsupported', message: unsupported.join('; ') });
    return { scenario: scenario.id, engine, cases };
  }
  let native = false;
  try {
    // Loading may wait for a policy watcher (Cerbos's disk store takes seconds): a longer deadline.
    native = (await loadScenario(adapter, scenario, { deadlineMs: setupMs })) === 'native';
  } catch (error) {
    emit({ step: -1, kind: 'scenario', status: 'error', message: `setup failed: ${errorMessage(error)}` });
    await checkHealth();
    return { scenario: scenario.id, engine, cases, ...(engineFailure ? { engineFailure } : {}) };
  }

  const sent: SentCheck[] = [];
  const check = async (request: CheckRequest): Promise<Decision> => {
    const resolved = resolveRequest(request);
    const sentAt = Date.now();
    try {
      const decision = validDecision(await call(() => adapter.check(resolved), 'check'));
      if (!decision.error) sent.push({ request: resolved, allowed: decision.allowed, decisionId: decision.decisionId, sentAt });
      return decision;
    } catch (error) {
      return { allowed: false, error: errorMessage(error) };
    }
  };

  // The policy in force, for the writers of a revocation under load (their tuple must fit it).
  let model = scenario.model;
  for (const step of scenario.steps) {
    // A full event-loop turn between steps: a Ctrl-C that arrived during a long (synchronous)
    // check is handled here, not lost behind a chain of resolved promises.
    await nextTurn();
    if (cases.some((c) => c.status === 'error') && !engineFailure) await checkHealth();
    if (engineFailure) {
      emit({ step: step.index, kind: step.kind === 'check' ? 'check' : step.kind, status: 'error', message: `not run: the engine failed (${engineFailure})` });
      continue;
    }
    const started = performance.now();
    const base = { step: step.index, ...(step.name ? { name: step.name } : {}) };
    switch (step.kind) {
      case 'check': {
        const decision = await check(step.request);
        emit({ ...base, kind: 'check', ...judge(step.request, step.expect, decision), durationMs: performance.now() - started });
        break;
      }
      case 'batch':
        emit({ ...base, kind: 'batch', ...(await runBatch(step, adapter, call, sent)), durationMs: performance.now() - started });
        break;
      case 'write':
      case 'delete':
      case 'updateModel':
        try {
          if (step.kind === 'updateModel') {
            await runWithDeadline(setupMs, 'updateModel', () => adapter.updateModel!(step.model));
            model = step.model;
          } else await call(() => adapter[step.kind](resolveRelationships(step.relationships)), step.kind);
          // An engine that applies changes asynchronously (a watched policy folder, a polled bundle) is
          // waited for: the steps after see the change. It returns at once when nothing is pending.
          if (adapter.settleModel) await runWithDeadline(setupMs, 'settleModel', () => adapter.settleModel!());
        } catch (error) {
          emit({ ...base, kind: step.kind, status: 'error', message: errorMessage(error), request: describeMutation(step) });
        }
        break;
      case 'revocation':
        emit({ ...base, kind: 'revocation', ...(await runRevocation(step, { adapter, call, check, model, neighbours: scenario.benchmark })) });
        model = step.revoke.model ?? model;
        break;
      case 'expectLog':
        emit({ ...base, kind: 'expectLog', ...(await runExpectLog(step, adapter, sent, call)) });
        break;
      case 'search':
        emit({ ...base, kind: 'search', ...(await runSearch(step, adapter, call)), durationMs: performance.now() - started });
        break;
    }
  }
  await nextTurn();
  if (!engineFailure && cases.some((c) => c.status === 'error')) await checkHealth();
  return { scenario: scenario.id, engine, cases, ...(native ? { native: true } : {}), ...(engineFailure ? { engineFailure } : {}) };
}

/** An answer without a boolean `allowed` is an error, never a deny. */
export function validDecision(decision: unknown): Decision {
  if (decision && typeof decision === 'object' && typeof (decision as Decision).allowed === 'boolean') return decision as Decision;
  return { allowed: false, error: `malformed answer from the engine: ${JSON.stringify(decision)?.slice(0, 200)}` };
}

function describeMutation(step: Step): string | undefined {
  return step.kind === 'write' || step.kind === 'delete' ? step.relationships.map(formatRelationship).join(', ') : undefined;
}

type Verdict = Pick<CaseResult, 'status' | 'request' | 'expected' | 'actual' | 'message' | 'decisionId'>;

function judge(request: CheckRequest, expect: CheckStep['expect'], decision: Decision): Verdict {
  const base = { request: describeRequest(request), expected: expect, decisionId: decision.decisionId };
  if (decision.error) return { ...base, status: 'error', actual: 'error', message: decision.error };
  const actual = decision.allowed ? 'allow' : 'deny';
  return { ...base, status: actual === expect ? 'pass' : 'fail', actual, ...(decision.reason ? { message: decision.reason } : {}) };
}

async function runBatch(step: BatchStep, adapter: EngineAdapter, call: <T>(start: () => Promise<T>, what: string) => Promise<T>, sent: SentCheck[]): Promise<Verdict> {
  const requests = step.requests.map((r) => resolveRequest(r));
  const sentAt = Date.now();
  let decisions: Decision[];
  try {
    decisions = await call(() => adapter.checkBatch(requests), 'checkBatch');
    if (!Array.isArray(decisions)) throw new Error(`malformed answer from the engine: ${JSON.stringify(decisions)?.slice(0, 200)}`);
    decisions = decisions.map(validDecision);
    if (decisions.length !== requests.length) throw new Error(`checkBatch returned ${decisions.length} decisions for ${requests.length} requests`);
  } catch (error) {
    decisions = requests.map(() => ({ allowed: false, error: errorMessage(error) }));
  }
  // One case per batch, as the AuthZEN interop suite counts them; the message names the items that differ.
  const verdicts = decisions.map((decision, i) => {
    if (!decision.error) sent.push({ request: requests[i]!, allowed: decision.allowed, decisionId: decision.decisionId, sentAt });
    return judge(requests[i]!, step.expect[i]!, decision);
  });
  const wrong = verdicts.map((v, i) => ({ v, i })).filter(({ v }) => v.status !== 'pass');
  const status = wrong.some(({ v }) => v.status === 'fail') ? 'fail' : wrong.length > 0 ? 'error' : 'pass';
  return {
    status,
    request: `batch of ${requests.length}: ${verdicts.map((v) => v.request).join('; ')}`,
    expected: step.expect.join(','),
    actual: verdicts.map((v) => v.actual).join(','),
    ...(wrong.length > 0 ? { message: wrong.map(({ v, i }) => `[${i}] ${v.request}: expected ${v.expected}, got ${v.actual}${v.message ? ` (${v.message})` : ''}`).join('; ') } : {}),
  };
}

/** What a revocation step works with. */
interface RevocationContext {
  adapter: EngineAdapter;
  call: <T>(start: () => Promise<T>, what: string) => Promise<T>;
  check: (r: CheckRequest) => Promise<Decision>;
  /** The policy in force before the step. */
  model: Model;
  /** The scenario's benchmark requests: the background load checks them beside the revoked one. */
  neighbours: CheckRequest[];
}

type RevocationVerdict = Verdict & { revocation?: RevocationFigures };

async function runRevocation(step: RevocationStep, context: RevocationContext): Promise<RevocationVerdict> {
  const { adapter, call, check } = context;
  const request = describeRequest(step.request);
  const tokenless = step.newEnemy && !(adapter.lastWriteToken && adapter.checkWithToken);
  // The new-enemy check follows the token protocol both ways: the grant is checked at the token of the last write too.
  const stepStart = performance.now();
  let before = step.newEnemy && !tokenless ? await checkAtLastWrite(step.request, adapter, call) : await check(step.request);
  // A grant not yet visible (reads from a stale snapshot) is polled until it is, within the step's
  // timeout, and how long that took is recorded: the same staleness, seen from the granting side.
  let grantVisibleAfterMs: number | undefined;
  if (!before.error && !before.allowed && !step.newEnemy) {
    while (!before.error && !before.allowed && performance.now() - stepStart < step.timeoutMs) {
      await sleep(step.intervalMs);
      before = await check(step.request);
    }
    if (before.allowed) grantVisibleAfterMs = performance.now() - stepStart;
  }
  if (before.error || !before.allowed) {
    return {
      status: before.error ? 'error' : 'fail',
      request,
      expected: 'allow before revocation',
      actual: before.error ? 'error' : 'deny',
      message: before.error ?? `the grant was not in effect before the revocation${step.newEnemy ? '' : ` (polled for ${step.timeoutMs} ms)`}`,
    };
  }
  let background: RunningLoad | undefined;
  try {
    if (step.load) background = await startBackgroundLoad(adapter, [step.request, ...context.neighbours], context.model, step.load, call);
  } catch (error) {
    return { status: 'error', request, message: `the background load failed to start: ${errorMessage(error)}` };
  }
  try {
    // Deletes before writes: the new-enemy order (revoke, then add what the revoked must not see).
    if (step.revoke.model) await call(() => adapter.updateModel!(step.revoke.model!), 'updateModel');
    if (step.revoke.delete) await call(() => adapter.delete(resolveRelationships(step.revoke.delete!)), 'delete');
    if (step.revoke.write) await call(() => adapter.write(resolveRelationships(step.revoke.write!)), 'write');
    if (step.content && !tokenless) await call(() => adapter.write(resolveRelationships(step.content!.write)), 'write');
  } catch (error) {
    await background?.stop(performance.now()).catch(() => undefined);
    return { status: 'error', request, message: `revocation failed: ${errorMessage(error)}` };
  }
  const acknowledged = performance.now();
  if (step.newEnemy && !tokenless) return newEnemyCheck(step, adapter, call);
  const timeline = await pollTimeline(step, check, acknowledged, step.request);
  if (grantVisibleAfterMs !== undefined && timeline.revocation) {
    timeline.revocation.grantVisibleAfterMs = grantVisibleAfterMs;
    timeline.message = [`the grant was in effect only ${grantVisibleAfterMs.toFixed(0)} ms after the step began`, timeline.message].filter(Boolean).join('; ');
  }
  if (background) {
    try {
      timeline.revocation = { ...timeline.revocation!, load: await background.stop(acknowledged) };
    } catch (error) {
      return { ...timeline, status: 'error', message: `the background load failed: ${errorMessage(error)}` };
    }
  }
  if (!tokenless) return timeline;
  // Without tokens the revocation is still applied and awaited like a timeline, so that later
  // steps see the data every engine sees; the step itself is unsupported. The content is then
  // written and its check polled too (it must deny).
  const revocation = timeline.revocation ? { ...timeline.revocation, path: newEnemyPath(step) } : undefined;
  const polled = [timeline.actual ? `polled instead: ${timeline.actual}` : undefined];
  if (step.content) {
    await call(() => adapter.write(resolveRelationships(step.content!.write)), 'write').catch(() => undefined);
    const content = await pollTimeline(step, check, performance.now(), step.content.request);
    // Without tokens the new-enemy check cannot be asked for; but a revoked subject seen
    // reading the new content is the new-enemy problem observed all the same: a failure.
    const seen = content.revocation?.staleAllows ?? 0;
    if (seen > 0 || content.status === 'fail') {
      return {
        status: 'fail',
        request: content.request,
        expected: 'deny: the content was written after the revocation',
        actual: content.actual ?? 'allowed',
        message: `new enemy observed without tokens: the revoked subject was allowed the new content ${seen} time(s) (${content.message})`,
        ...(revocation ? { revocation } : {}),
      };
    }
    polled.push(`the new content: ${content.actual ?? content.message}`);
  }
  const actual = polled.filter(Boolean).join('; ');
  return { status: 'unsupported', request, message: NO_TOKENS, ...(actual ? { actual } : {}), ...(revocation ? { revocation } : {}) };
}

const newEnemyPath = (step: RevocationStep) => `${step.path} (new enemy${step.content ? ', new content' : ''})`;

/** The timeline's second half: the pollers repeat the check until each denies, counting stale allows. */
async function pollTimeline(step: RevocationStep, check: (r: CheckRequest) => Promise<Decision>, acknowledged: number, checked: CheckRequest): Promise<RevocationVerdict> {
  const request = describeRequest(checked);
  const { figures, denied, lastError } = await pollUntilAllDeny(check, checked, acknowledged, {
    pollers: step.pollers,
    intervalMs: step.intervalMs,
    timeoutMs: step.timeoutMs,
    path: step.path,
  });
  if (denied) {
    const all = step.pollers > 1 ? `, every one of ${step.pollers} pollers denies after ${figures.timeToAllDenyMs!.toFixed(1)} ms` : '';
    return {
      status: 'pass',
      request,
      expected: 'deny after revocation',
      actual: figures.staleAllows === 0 ? 'deny at once' : `deny after ${figures.staleAllows} stale allows`,
      message: `time to first deny ${figures.timeToFirstDenyMs!.toFixed(1)} ms${all}, ${figures.staleAllows} stale allows`,
      revocation: figures,
    };
  }
  return {
    status: lastError && figures.staleAllows === 0 ? 'error' : 'fail',
    request,
    expected: 'deny after revocation',
    actual: `still allowed after ${step.timeoutMs} ms`,
    message: lastError ?? `${figures.staleAllows} stale allows, never denied by every poller within ${step.timeoutMs} ms`,
    revocation: figures,
  };
}

const NO_TOKENS = 'new enemy: the engine returns no consistency token with a write (no Zanzibar zookie), so no check can be asked to be at least as fresh as the revocation';

async function checkAtLastWrite(request: CheckRequest, adapter: EngineAdapter, call: <T>(start: () => Promise<T>, what: string) => Promise<T>): Promise<Decision> {
  const token = adapter.lastWriteToken!();
  if (!token) return { allowed: false, error: 'the engine returned no token for its last write' };
  try {
    return validDecision(await call(() => adapter.checkWithToken!(resolveRequest(request), token), 'check'));
  } catch (error) {
    return { allowed: false, error: errorMessage(error) };
  }
}

/** The new-enemy check: one check at the revocation's own token must deny; an allow there is a stale allow, a failure. */
async function newEnemyCheck(step: RevocationStep, adapter: EngineAdapter, call: <T>(start: () => Promise<T>, what: string) => Promise<T>): Promise<RevocationVerdict> {
  const path = newEnemyPath(step);
  // With content, the check is on the content, at the token of its write (later than the revocation's).
  const checked = step.content?.request ?? step.request;
  const request = describeRequest(checked);
  const token = adapter.lastWriteToken!();
  if (!token) return { status: 'error', request, message: 'the engine returned no token for the revocation' };
  const started = performance.now();
  let decision: Decision;
  try {
    decision = validDecision(await call(() => adapter.checkWithToken!(resolveRequest(checked), token), 'check'));
  } catch (error) {
    decision = { allowed: false, error: errorMessage(error) };
  }
  if (decision.error) return { status: 'error', request, message: decision.error, revocation: { path, staleAllows: 0, polls: 1, immediate: false } };
  const timeToFirstDenyMs = performance.now() - started;
  return decision.allowed
    ? {
        status: 'fail',
        request,
        expected: 'deny at the revocation token',
        actual: 'allow (stale)',
        message: step.content ? 'a check at least as fresh as the content written after the revocation allowed it' : 'a check at least as fresh as the revocation still allowed',
        revocation: { path, staleAllows: 1, polls: 1, immediate: false },
      }
    : {
        status: 'pass',
        request,
        expected: 'deny at the revocation token',
        actual: 'deny at once',
        message: `denied at the revocation's token in ${timeToFirstDenyMs.toFixed(1)} ms`,
        revocation: { path, timeToFirstDenyMs, staleAllows: 0, polls: 1, immediate: true },
      };
}

/** Why an engine without a decision log fails every log completeness step. */
export const NO_DECISION_LOG = 'the engine keeps no decision log of its own: 0% of decisions recorded (the harness log is not counted)';

async function runExpectLog(
  step: ExpectLogStep,
  adapter: EngineAdapter,
  sent: SentCheck[],
  call: <T>(start: () => Promise<T>, what: string) => Promise<T>,
): Promise<Verdict & { audit?: CaseResult['audit'] }> {
  const kind = adapter.decisionLog;
  if (kind === 'none' || !adapter.readDecisionLog) {
    // No log is the same finding as a log that misses every decision (docs/verdicts.md):
    // one status on every engine, so the audit verdict and chart compare like with like.
    const figures = measureAudit(sent, [], step.fields, 'none');
    return {
      status: 'fail',
      expected: `${figures.checks} checks with ${step.fields.join(', ')}`,
      actual: `0/${figures.checks} found (no decision log)`,
      message: NO_DECISION_LOG,
      audit: figures,
    };
  }
  const waitStart = performance.now();
  const lastSent = sent.length > 0 ? Math.max(...sent.map((s) => s.sentAt)) : Date.now();
  let figures = measureAudit(sent, [], step.fields, kind);
  try {
    for (;;) {
      figures = measureAudit(sent, await call(() => adapter.readDecisionLog!(), 'readDecisionLog'), step.fields, kind);
      if (figures.found === figures.checks || performance.now() - waitStart > step.timeoutMs) break;
      await sleep(100);
    }
  } catch (error) {
    return { status: 'error', message: `reading the decision log failed: ${errorMessage(error)}` };
  }
  if (figures.found === figures.checks) figures.deliveryMs = Math.max(0, Date.now() - lastSent);
  const label = kind === 'request' ? 'request log, not a decision log' : 'decision log';
  const missing = Object.entries(figures.missingFields).map(([f, n]) => `${f} missing in ${n}`);
  return {
    status: auditComplete(figures) ? 'pass' : 'fail',
    expected: `${figures.checks} checks with ${step.fields.join(', ')}`,
    actual: `${figures.found}/${figures.checks} found (${label})`,
    message: [`${(figures.share * 100).toFixed(1)}% found in the engine's ${label}`, ...missing].join('; '),
    audit: figures,
  };
}

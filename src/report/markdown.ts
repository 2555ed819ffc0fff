// Markdown report (also for CI job summaries), rendered from a results file.

import type { BenchSection, Interval, RunResults } from '../results/types.ts';
import { auditRows, describeMachine, engineIds, factorToFastest, formatMs, formatCurvePoint, matrixCell, OPEN_LOOP_NOTE, revocationRows } from './summarise.ts';

const SYMBOL = { pass: '✅', fail: '❌', error: '⚠️', unsupported: '➖', 'not run': '·' } as const;

const cell = (text: string | number | undefined) => String(text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
const row = (cells: (string | number | undefined)[]) => `| ${cells.map(cell).join(' | ')} |`;
const table = (head: string[], rows: (string | number | undefined)[][]) =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

export function renderMarkdown(results: RunResults): string {
  const engines = engineIds(results);
  const out: string[] = [];
  const run = results.run;
  out.push(`# authz-bench results: ${run.id}`, '');
  out.push(`Run ${run.startedAt}${run.gitCommit ? ` at commit \`${run.gitCommit}\`` : ''} with \`${run.command}\`.`, '');
  out.push(`Machine: ${describeMachine(results)}.`, '');

  out.push('## Engines', '');
  out.push(
    table(
      ['engine', 'name', 'version', 'launch', 'decision log', 'settings', 'note'],
      results.engines.map((e) => [
        e.id,
        e.name,
        e.version,
        e.launch,
        e.decisionLog === 'request' ? 'request log, not a decision log' : e.decisionLog,
        Object.entries(e.settings).map(([k, v]) => `${k}=${v}`).join(', '),
        [e.skipped, e.nativeScenarios?.length ? `native mode: ${e.nativeScenarios.join(', ')}` : ''].filter(Boolean).join('; '),
      ]),
    ),
    '',
  );

  out.push('## Conformance', '');
  out.push(
    table(
      ['scenario', ...engines],
      results.scenarios.map((s) => [
        s.id,
        ...engines.map((e) => {
          const c = matrixCell(results, s.id, e);
          return c.status === 'unsupported' || c.status === 'not run' ? `${SYMBOL[c.status]} ${c.status}` : `${SYMBOL[c.status]} ${c.pass}/${c.total}`;
        }),
      ]),
    ),
    '',
  );

  const problems = results.scenarios.flatMap((s) =>
    engines.flatMap((e) => {
      const c = matrixCell(results, s.id, e);
      return [
        ...c.failures.map((f) => [s.id, e, `steps[${f.step}]${f.item !== undefined ? `[${f.item}]` : ''}`, f.request, f.expected, f.actual, f.message]),
        ...(c.status === 'unsupported' ? [[s.id, e, '', '', '', 'unsupported', c.message]] : []),
      ];
    }),
  );
  if (problems.length > 0) {
    out.push('### Failures, errors and unsupported features', '');
    out.push(table(['scenario', 'engine', 'step', 'request', 'expected', 'actual', 'message'], problems), '');
  }

  const revocations = revocationRows(results);
  if (revocations.length > 0) {
    out.push('## Revocation', '', 'Time from the revocation being acknowledged to the first deny, and the allows seen before it (stale allows).', '');
    out.push(
      table(
        ['scenario', 'engine', 'path', 'time to first deny', 'stale allows', 'at once', 'status'],
        revocations.map((c) => [c.scenario, c.engine, c.revocation?.path, formatMs(c.revocation?.timeToFirstDenyMs), c.revocation?.staleAllows, c.revocation?.immediate ? 'yes' : 'no', `${SYMBOL[c.status]} ${c.status}`]),
      ),
      '',
    );
  }

  const audits = auditRows(results);
  if (audits.length > 0) {
    out.push('## Audit completeness', '', "Share of the harness's checks found in the engine's own log, with the fields asked for.", '');
    out.push(
      table(
        ['scenario', 'engine', 'log', 'found', 'fields missing', 'delivery', 'status'],
        audits.map((c) => [
          c.scenario,
          c.engine,
          c.audit ? (c.audit.logKind === 'request' ? 'request log, not a decision log' : c.audit.logKind) : 'none',
          c.audit ? `${c.audit.found}/${c.audit.checks} (${(c.audit.share * 100).toFixed(1)}%)` : '–',
          c.audit ? Object.entries(c.audit.missingFields).map(([f, n]) => `${f}: ${n}`).join(', ') || 'none' : '–',
          formatMs(c.audit?.deliveryMs),
          `${SYMBOL[c.status]} ${c.status === 'unsupported' ? 'not provided by the engine' : c.status}`,
        ]),
      ),
      '',
    );
  }

  if (results.performance.length > 0) {
    out.push('## Latency of one check', '');
    const first = results.performance[0]!;
    out.push(`Method: ${first.method}. ± is the 95% relative margin of error of the mean. Factor is p50 over the fastest engine's p50 in the same scenario.`, '');
    out.push(
      table(
        ['scenario', 'engine', 'p50', 'p75', 'p99', 'mean ± rme', 'of which client-side', 'samples', 'factor', 'errors'],
        results.scenarios.flatMap((s) => {
          const factors = factorToFastest(results, s.id);
          return results.performance
            .filter((p) => p.scenario === s.id)
            .map((p) => [s.id, p.engine, formatMs(p.latency.p50), formatMs(p.latency.p75), formatMs(p.latency.p99), `${formatMs(p.latency.mean)} ± ${p.latency.rme.toFixed(1)}%`, p.clientSide ? `${p.clientSide.label}: ${formatMs(p.clientSide.meanMs)} (engine ≈ ${formatMs(p.latency.mean - p.clientSide.meanMs)})` : '–', p.latency.samples, `${factors.get(p.engine)!.toFixed(2)}×`, p.errors]);
        }),
      ),
      '',
    );
  }
  if (results.bench) out.push(...renderBenchMarkdown(results.bench));
  out.push('---', `authz-bench results schema ${results.schemaVersion}; settings: ${Object.entries(run.settings).map(([k, v]) => `${k}=${v}`).join(', ')}.`, '');
  return out.join('\n');
}

const ci = (i: Interval, digits = 3) => (i.n > 1 ? `${i.mean.toFixed(digits)} ± ${i.margin.toFixed(digits)}` : i.mean.toFixed(digits));

function renderBenchMarkdown(bench: BenchSection): string[] {
  const out: string[] = ['## Load', ''];
  out.push(`Settings: ${Object.entries(bench.settings).map(([k, v]) => `${k}=${v}`).join(', ')}. Intervals are 95% confidence intervals over independent trials.`, '');
  if (bench.overhead) {
    const o = bench.overhead;
    out.push(`**Harness overhead** (${o.method}): ${ci(o.checksPerSecond, 0)} checks/s, p50 ${ci(o.p50, 4)} ms, p99 ${ci(o.p99, 4)} ms.${o.openLoopP99 ? ` In the open loop at the target rate the no-op engine's p99 is ${ci(o.openLoopP99)} ms: the pacing floor under every open-loop p99.` : ''}`, '');
  }
  if (bench.micro.length > 0) {
    out.push('### In-process micro benchmarks', '');
    out.push(table(['engine', 'p50', 'p99', 'mean ± rme', 'samples', 'method'], bench.micro.map((m) => [m.engine, formatMs(m.latency.p50), formatMs(m.latency.p99), `${formatMs(m.latency.mean)} ± ${m.latency.rme.toFixed(2)}%`, m.latency.samples, m.method])), '');
  }
  if (bench.load.length > 0) {
    out.push('### Closed and open loop (ms)', '');
    out.push(
      table(
        ['engine', 'mode', 'clients', 'rate', 'throughput/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'errors', 'p99 from send'],
        bench.load.map((l) => [l.engine, l.mode, l.concurrency, l.targetRate ?? 'max', ci(l.throughput, 0), ci(l.p50), ci(l.p90), ci(l.p99), ci(l.p999), l.max.toFixed(3), l.errors, l.serviceP99 ? ci(l.serviceP99) : '–']),
      ),
      '',
      OPEN_LOOP_NOTE,
      '',
    );
  }
  if (bench.slo.length > 0) {
    out.push('### SLO verdict', '');
    out.push(
      table(
        ['engine', 'p99 threshold', 'target rate', 'p99 at target', 'verdict', 'highest rate that holds', 'ramp'],
        bench.slo.map((v) => [v.engine, `${v.thresholdMs} ms`, `${v.targetRate}/s`, `${ci(v.p99)} ms`, v.pass ? '✅ pass' : '❌ fail', v.highestPassingRate ? `${v.highestPassingRate}/s` : 'none', v.ramp.map((r) => `${r.rate}/s: ${r.p99.toFixed(2)} ms${r.pass ? '' : ' ✗'}`).join('; ')]),
      ),
      '',
      `Method: ${bench.slo[0]!.method}.`,
      '',
    );
  }
  if (bench.curves.length > 0) {
    out.push('### Cost curves', '');
    out.push(
      table(
        ['engine', 'dimension', 'points (size: p50 ms (setup, memory))', 'growth'],
        bench.curves.map((c) => [c.engine, c.dimension, c.points.map(formatCurvePoint).join(', '), c.fit ? `${c.fit.label}, r² ${c.fit.r2.toFixed(2)}` : '–']),
      ),
      '',
    );
  }
  return out;
}

// The report of a results file as one table model (src/report/table.ts): the scorecard
// first, then the details. Markdown and HTML print this model and nothing else, so they
// show the same columns and figures.

import type { BenchSection, CaseResult, Interval, RunResults } from '../results/types.ts';
import { describeMachine, formatCount, formatCurvePoint, formatFactor, formatMs, formatPercent, msWithCi, OPEN_LOOP_NOTE, settingsText } from './format.ts';
import { scaleSection } from './scale-section.ts';
import { scorecardTable } from './scorecard.ts';
import { cell, num, plainTable, text, type Cell, type Paragraph, type ReportModel, type Row, type Section, type Table, type Tone } from './table.ts';
import { coldStartTable } from './cold-start.ts';
import { consistencyPromisesTable, revocationLoadTable } from './revocation-load.ts';
import { auditRows, engineIds, EXPIRY_NOTE, factorTone, isExpiry, kindOf, latencyFactors, matrixCell, ratioToReference, revocationPhase, revocationRows, type MatrixCell } from './views.ts';

const where = (c: CaseResult) => (c.step < 0 ? 'scenario setup' : `steps[${c.step}]${c.item !== undefined ? `[${c.item}]` : ''}`);
const statusTone = (status: MatrixCell['status']): Tone => (status === 'not run' ? 'not-run' : status);
const statusCell = (c: CaseResult, textForUnsupported = 'unsupported'): Cell => cell(c.status === 'unsupported' ? textForUnsupported : c.status, { tone: c.status });
const withCi = (i: Interval, digits = 3) => (i.n > 1 ? `${i.mean.toFixed(digits)} ± ${i.margin.toFixed(digits)}` : i.mean.toFixed(digits));
const logKindText = (kind: string) => (kind === 'request' ? 'request log, not a decision log' : kind);

/** Rows grouped by a key, in first-seen order. */
function groupBy<T>(items: T[], key: (item: T) => string): [string, T[]][] {
  const map = new Map<string, T[]>();
  for (const item of items) (map.get(key(item)) ?? map.set(key(item), []).get(key(item))!).push(item);
  return [...map];
}

function scorecardSection(results: RunResults): Section {
  return {
    id: 'scorecard',
    nav: 'Scorecard',
    title: 'Scorecard',
    level: 2,
    intro: [['One row per engine configuration, to decide with; the details follow.']],
    tables: [scorecardTable(results)],
  };
}

function matrixTable(results: RunResults): Table {
  const engines = engineIds(results);
  const body: Row[] = results.scenarios.map((s) => ({
    cells: [
      cell(s.id, { code: true, note: s.title }),
      ...engines.map((e) => {
        const c = matrixCell(results, s.id, e);
        const label = c.status === 'unsupported' || c.status === 'not run' ? c.status : `${c.pass}/${c.total}${c.unsupportedSteps ? ` · ${c.unsupportedSteps} unsupported` : ''}`;
        const details: NonNullable<Cell['details']> = [];
        if (c.status === 'unsupported') {
          if (c.message) details.push({ summary: 'why', text: c.message });
        } else {
          if (c.failures.length > 0) {
            details.push({
              summary: `${c.failures.length} failing`,
              ...(c.failures.length > LISTED_FAILURES ? { text: unlistedNote(c.failures) } : {}),
              items: listedFailures(c.failures).map((f) => ({
                tone: f.status,
                fields: [
                  ['step', `${where(f)} ${f.kind}${f.name ? ` ${f.name}` : ''}`] as [string, string],
                  ...(['request', 'expected', 'actual', 'message'] as const).filter((k) => f[k] !== undefined && f[k] !== '').map((k) => [k, f[k]!] as [string, string]),
                ],
              })),
            });
          }
          if (c.message) details.push({ summary: 'partly unsupported', text: c.message });
        }
        return cell(label, { tone: statusTone(c.status), ...(details.length ? { details } : {}) });
      }),
    ],
  }));
  return {
    id: 'matrix',
    columns: [text('scenario'), ...engines.map((e) => text(e))],
    groups: [{ rows: body }],
    notes: [],
  };
}

/**
 * Failing cases listed per engine and scenario; the rest are counted. An engine wrong by design on a scale
 * scenario fails thousands of cases, which would bury every other engine's findings (results.json has them all).
 */
const LISTED_FAILURES = 10;
const listedFailures = (failures: CaseResult[]) => failures.slice(0, LISTED_FAILURES);
const unlistedNote = (failures: CaseResult[]) => `${failures.length - LISTED_FAILURES} more failing cases of this engine in this scenario are not listed here: results.json has every case.`;

function failuresTable(results: RunResults): Table | undefined {
  const engines = engineIds(results);
  const body: Row[] = results.scenarios.flatMap((s) =>
    engines.flatMap((e) => {
      const c = matrixCell(results, s.id, e);
      return [
        ...listedFailures(c.failures).map((f) => ({
          engine: e,
          cells: [cell(s.id), cell(e, { code: true }), cell(where(f)), cell(f.request, { code: true }), cell(f.expected, { code: true }), cell(f.actual, { code: true }), cell(f.message)],
        })),
        ...(c.failures.length > LISTED_FAILURES ? [{ engine: e, cells: [cell(s.id), cell(e, { code: true }), cell(''), cell(''), cell(''), cell(''), cell(unlistedNote(c.failures))] }] : []),
        ...(c.status === 'unsupported'
          ? [{ engine: e, cells: [cell(s.id), cell(e, { code: true }), cell(''), cell(''), cell(''), cell('unsupported', { tone: 'unsupported' as const }), cell(c.message)] }]
          : []),
      ];
    }),
  );
  if (body.length === 0) return undefined;
  return plainTable('failures', [text('scenario'), text('engine'), text('step'), text('request'), text('expected'), text('actual'), text('message')], body);
}

function conformanceSections(results: RunResults): Section[] {
  const failures = failuresTable(results);
  return [
    {
      id: 'conformance',
      nav: 'Conformance',
      title: 'Conformance',
      level: 2,
      intro: [['Each cell: cases passed of those judged. ' + (failures ? 'The failing cases are listed under the matrix (and, in HTML, in the cell).' : 'Every judged case passed.')]],
      tables: [matrixTable(results)],
    },
    ...(failures ? [{ id: 'failures', title: 'Failures, errors and unsupported features', level: 3 as const, intro: [], tables: [failures] }] : []),
  ];
}

function latencySection(results: RunResults): Section | undefined {
  // Cold start (`coldStart: true`, any scenario) is latency too: here, not only beside revocations.
  const coldStarts = coldStartTable(results);
  if (results.performance.length === 0 && !coldStarts) return undefined;
  const groups = results.scenarios
    .map((s) => {
      const perf = results.performance.filter((p) => p.scenario === s.id);
      const factors = latencyFactors(results, perf);
      const body: Row[] = perf.map((p) => {
        const f = factors.get(p.engine) ?? { ofKind: 1, overall: 1 };
        const l = p.latency;
        return {
          engine: p.engine,
          cells: [
            cell(p.engine, { code: true, note: kindOf(results, p.engine) }),
            cell(formatMs(l.p50)),
            cell(formatMs(l.p75)),
            cell(formatMs(l.p99)),
            cell(formatMs(l.mean), { note: `± ${l.rme.toFixed(1)}%` }),
            p.clientSide ? cell(`${p.clientSide.label}: ${formatMs(p.clientSide.meanMs)}`, { note: `engine ≈ ${formatMs(l.mean - p.clientSide.meanMs)}` }) : cell('–'),
            cell(formatCount(l.samples)),
            cell(formatFactor(f.ofKind), { tone: factorTone(f.ofKind) }),
            cell(formatFactor(f.overall)),
            cell(p.errors, p.errors > 0 ? { tone: 'fail' } : {}),
          ],
        };
      });
      return { label: s.id, scenario: s.id, rows: body };
    })
    .filter((g) => g.rows.length > 0);
  const method = results.performance[0]?.method;
  return {
    id: 'latency',
    nav: 'Latency',
    title: 'Latency of one check, per scenario',
    level: 2,
    intro: [
      [
        `${method ? `Method: ${method}. ` : ''}± is the 95% relative margin of error of the mean (not of p99). `,
        { strong: '× of kind' },
        ' is p50 over the fastest p50 among engines of the same kind in the scenario (embedded engines answer in-process, server engines over a network hop); ',
        { strong: '× overall' },
        ' is over the fastest of any kind.',
      ],
    ],
    tables: [
      {
        id: 'latency-table',
        columns: [text('engine'), num('p50'), num('p75'), num('p99'), num('mean ± rme'), text('of which client-side'), num('samples'), num('× of kind'), num('× overall'), num('errors')],
        groups,
        groupHeader: 'scenario',
        notes: [],
        engineFilter: true,
      },
      ...(coldStarts ? [coldStarts] : []),
    ],
  };
}

function revocationSection(results: RunResults): Section | undefined {
  const rowsOf = revocationRows(results);
  if (rowsOf.length === 0) return undefined;
  const loadTable = revocationLoadTable(results);
  const promises = consistencyPromisesTable(results);
  const groups = groupBy(rowsOf, (c) => `${c.scenario} · ${c.revocation?.path ?? 'revocation'}`).map(([label, cases]) => ({
    label,
    scenario: cases[0]!.scenario,
    rows: cases.map((c) => ({
      engine: c.engine,
      cells: [
        cell(c.engine, { code: true }),
        cell(revocationPhase(c)),
        c.revocation?.timeToFirstDenyMs === undefined ? cell('never', { tone: 'fail' }) : cell(formatMs(c.revocation.timeToFirstDenyMs)),
        cell(c.revocation?.timeToAllDenyMs === undefined ? '–' : `${formatMs(c.revocation.timeToAllDenyMs)} (${c.revocation.pollers ?? 1})`),
        cell(c.revocation ? formatCount(c.revocation.staleAllows) : '–'),
        cell(c.revocation ? formatCount(c.revocation.polls) : '–'),
        cell(c.revocation ? (c.revocation.immediate ? 'yes' : 'no') : '–'),
        statusCell(c),
        cell(isExpiry(c) && c.status === 'pass' ? 'allows before the deadline are expected' : c.status === 'pass' ? '' : (c.message ?? c.actual ?? '')),
      ],
    })),
  }));
  return {
    id: 'revocation',
    nav: 'Revocation',
    title: 'Revocation',
    level: 2,
    intro: [['Time from the revocation being acknowledged to the first deny, and the allows seen before it (stale allows).']],
    tables: [
      {
        id: 'revocation-table',
        columns: [
          text('engine'),
          text('phase', 'idle, or under a background load (the under-load table below)'),
          num('time to first deny'),
          num('all deny (pollers)', 'from then on every poller denied; in brackets, how many polled at once'),
          num('stale allows'),
          num('polls'),
          text('denied at once'),
          text('status'),
          text('note'),
        ],
        groups,
        groupHeader: 'scenario · path',
        notes: [[`Expiry path: ${EXPIRY_NOTE}. An engine fails it by allowing past the deadline (never denied within the step's timeout).`]],
        engineFilter: true,
      },
      ...(loadTable ? [loadTable] : []),
      ...(promises ? [promises] : []),
    ],
  };
}

function auditSection(results: RunResults): Section | undefined {
  const rowsOf = auditRows(results);
  if (rowsOf.length === 0) return undefined;
  const groups = groupBy(rowsOf, (c) => c.scenario).map(([label, cases]) => ({
    label,
    scenario: label,
    rows: cases.map((c) => ({
      engine: c.engine,
      cells: [
        cell(c.engine, { code: true }),
        cell(c.audit ? logKindText(c.audit.logKind) : 'none'),
        c.audit ? cell(formatPercent(c.audit.share), { note: `${c.audit.found}/${c.audit.checks}` }) : cell('–'),
        cell(
          c.audit
            ? Object.entries(c.audit.missingFields)
                .map(([f, n]) => `${f}: ${n}`)
                .join(', ') || 'none'
            : '–',
        ),
        cell(formatMs(c.audit?.deliveryMs)),
        statusCell(c, 'not provided by the engine'),
      ],
    })),
  }));
  return {
    id: 'audit',
    nav: 'Audit',
    title: 'Audit completeness',
    level: 2,
    intro: [["Share of the harness's checks found in the engine's own log, with the fields asked for."]],
    tables: [
      {
        id: 'audit-table',
        columns: [text('engine'), text('log'), num('found'), text('fields missing'), num('delivery'), text('status')],
        groups,
        groupHeader: 'scenario',
        notes: [],
        engineFilter: true,
      },
    ],
  };
}

/** Size of a search answer from its case: the expected list `[a, b]` and the engine's. */
const listSize = (list: string | undefined): string => {
  if (!list) return '–';
  const inner = list.replace(/^\[|\]$/g, '').trim();
  const more = /, … and (\d+) more$/.exec(inner);
  if (more) return String(inner.split(', ').length - 1 + Number(more[1]));
  return inner ? String(inner.split(', ').length) : '0';
};

function searchSection(results: RunResults): Section | undefined {
  const cases = results.cases.filter((c) => c.kind === 'search');
  if (cases.length === 0) return undefined;
  const groups = groupBy(cases, (c) => `${c.scenario} ${where(c)}`).map(([, group]) => ({
    label: `${group[0]!.scenario}: ${group[0]!.name ?? where(group[0]!)}`,
    scenario: group[0]!.scenario,
    rows: group.map((c) => ({
      engine: c.engine,
      cells: [
        cell(c.engine, { code: true }),
        cell(listSize(c.expected)),
        cell(c.status === 'unsupported' || c.status === 'error' ? '–' : listSize(c.actual)),
        cell(c.status === 'unsupported' ? '–' : formatMs(c.durationMs)),
        { ...statusCell(c), ...(c.message ? { note: c.message } : {}) },
      ],
    })),
  }));
  return {
    id: 'search',
    nav: 'Search',
    title: 'Search completeness',
    level: 2,
    intro: [
      [
        'Each AuthZEN search (resources, subjects, actions) against its complete expected answer: a missing or extra id fails, and so does an answer the engine says was cut by a limit or deadline. Time is one search, end to end; beside the status, how the engine searched and what was wrong.',
      ],
    ],
    tables: [{ id: 'search-table', columns: [text('engine'), num('expected'), num('answered'), num('time'), text('status')], groups, groupHeader: 'search', notes: [], engineFilter: true }],
  };
}

function benchSections(bench: BenchSection): Section[] {
  const intro: Paragraph[] = [[`Settings: `, { code: settingsText(bench.settings) }, '. Intervals are 95% confidence intervals over independent trials.']];
  if (bench.overhead) {
    const o = bench.overhead;
    intro.push([
      { strong: 'Harness overhead' },
      ` (${o.method}): ${withCi(o.checksPerSecond, 0)} checks/s, p50 ${msWithCi(o.p50)}, p99 ${msWithCi(o.p99)}.`,
      ...(o.openLoopP99 ? [` In the open loop at the target rate the no-op engine's p99 is ${msWithCi(o.openLoopP99)}: the pacing floor under every open-loop p99.`] : []),
    ]);
  }
  const out: Section[] = [{ id: 'load', nav: 'Load', title: 'Load', level: 2, intro, tables: [] }];
  const scale = scaleSection(bench);
  if (scale) out.push(scale);
  if (bench.micro.length > 0) {
    const ratios = ratioToReference(bench.micro);
    out.push({
      id: 'load-micro',
      title: 'In-process micro benchmarks',
      level: 3,
      intro: [],
      tables: [
        plainTable(
          'micro-table',
          [text('engine'), text('scenario'), num('p50'), num('× reference'), num('p99'), num('mean ± rme'), text('of which client-side'), num('samples'), text('method')],
          bench.micro.map((m) => {
            const ratio = ratios.get(m.engine);
            return {
              engine: m.engine,
              cells: [
                cell(m.engine, { code: true }),
                cell(m.scenario),
                cell(formatMs(m.latency.p50)),
                cell(ratio === undefined ? '–' : formatFactor(ratio)),
                cell(formatMs(m.latency.p99)),
                cell(formatMs(m.latency.mean), { note: `± ${m.latency.rme.toFixed(2)}%` }),
                cell(m.clientSide ? `${m.clientSide.label}: ${formatMs(m.clientSide.meanMs)} (mean)` : '–'),
                cell(formatCount(m.latency.samples)),
                cell(m.method),
              ],
            };
          }),
        ),
      ],
    });
  }
  if (bench.load.length > 0) {
    out.push({
      id: 'load-loops',
      title: 'Closed and open loop',
      level: 3,
      intro: [],
      tables: [
        plainTable(
          'load-table',
          [
            text('engine'),
            text('scenario'),
            text('mode'),
            num('clients'),
            num('rate'),
            num('throughput/s'),
            num('p50'),
            num('p90'),
            num('p99'),
            num('p99.9'),
            num('max'),
            num('errors'),
            num('p99 from send'),
          ],
          bench.load.map((l) => ({
            engine: l.engine,
            cells: [
              cell(l.engine, { code: true }),
              cell(l.scenario),
              cell(l.mode),
              cell(l.concurrency),
              cell(l.targetRate ?? 'max'),
              cell(withCi(l.throughput, 0)),
              cell(msWithCi(l.p50)),
              cell(msWithCi(l.p90)),
              cell(msWithCi(l.p99)),
              cell(msWithCi(l.p999)),
              cell(formatMs(l.max)),
              cell(l.errors, l.errors > 0 ? { tone: 'fail' } : {}),
              cell(msWithCi(l.serviceP99)),
            ],
          })),
          [[OPEN_LOOP_NOTE]],
        ),
      ],
    });
  }
  if (bench.slo.length > 0) {
    out.push({
      id: 'load-slo',
      title: 'SLO verdict',
      level: 3,
      intro: [],
      tables: [
        plainTable(
          'slo-table',
          [
            text('engine'),
            text('scenario'),
            num('p99 threshold'),
            num('target rate'),
            num('p99 at target'),
            text('verdict'),
            num('highest rate that holds'),
            num('lowest rate that fails'),
            text('ramp (rate: p99 ms, trials held)'),
          ],
          bench.slo.map((v) => ({
            engine: v.engine,
            cells: [
              cell(v.engine, { code: true }),
              cell(v.scenario),
              cell(`${v.thresholdMs} ms`),
              cell(`${formatCount(v.targetRate)}/s`),
              cell(msWithCi(v.p99)),
              cell(v.pass ? 'pass' : 'fail', { tone: v.pass ? 'pass' : 'fail' }),
              cell(v.highestPassingRate ? `${formatCount(v.highestPassingRate)}/s` : 'none'),
              cell(v.lowestFailingRate ? `${formatCount(v.lowestFailingRate)}/s` : '–'),
              cell(v.ramp.map((r) => `${r.rate}/s: ${r.p99.toFixed(2)}${r.held !== undefined ? ` (${r.held}/${r.trials})` : ''}${r.pass ? '' : ' ✗'}`).join('; ')),
            ],
          })),
          [[`Method: ${bench.slo[0]!.method}.`]],
        ),
      ],
    });
  }
  if (bench.curves.length > 0) {
    out.push({
      id: 'load-curves',
      title: 'Cost curves',
      level: 3,
      intro: [],
      tables: [
        plainTable(
          'curves-table',
          [text('engine'), text('dimension'), text('points (size: p50, p99 (setup, memory))'), text('growth')],
          bench.curves.map((c) => ({
            engine: c.engine,
            cells: [
              cell(c.engine, { code: true }),
              cell(c.dimension),
              cell(
                [...c.points.map(formatCurvePoint), ...(c.didNotLoad ?? []).map((d) => `${d.size}: not measured: ${d.reason}`)].join(', '),
                c.memoryMethod ? { note: `memory: ${c.memoryMethod}` } : {},
              ),
              cell(c.fit ? `${c.fit.label}, r² ${c.fit.r2.toFixed(2)}` : '–'),
            ],
          })),
        ),
      ],
    });
  }
  return out;
}

function enginesSection(results: RunResults): Section {
  return {
    id: 'engines',
    nav: 'Engines',
    title: 'Engines and their settings',
    level: 2,
    intro: [],
    tables: [
      plainTable(
        'engines-table',
        [text('engine'), text('name'), text('version'), text('launch'), text('decision log'), text('settings'), text('note')],
        results.engines.map((e) => ({
          engine: e.id,
          cells: [
            cell(e.id, { code: true }),
            cell(e.name),
            cell(e.version),
            cell(e.launch),
            cell(logKindText(e.decisionLog)),
            Object.keys(e.settings).length ? cell(settingsText(e.settings), { code: true }) : cell('none', { tone: 'muted' }),
            e.skipped ? cell(`skipped: ${e.skipped}`, { tone: 'fail' }) : cell(e.nativeScenarios?.length ? `native mode: ${e.nativeScenarios.join(', ')}` : ''),
          ],
        })),
      ),
    ],
  };
}

export function summarise(results: RunResults): ReportModel {
  const run = results.run;
  const sections = [
    scorecardSection(results),
    ...conformanceSections(results),
    latencySection(results),
    revocationSection(results),
    auditSection(results),
    searchSection(results),
    ...(results.bench ? benchSections(results.bench) : []),
    enginesSection(results),
  ].filter((s): s is Section => s !== undefined);
  return {
    title: ['authz-bench results: ', { code: run.id }],
    subtitle: [
      [`Run ${run.startedAt}${run.finishedAt ? ` – ${run.finishedAt}` : ''}`, ...(run.gitCommit ? [' at commit ', { code: run.gitCommit }] : []), ' with ', { code: run.command }, '.'],
      [`Machine: ${describeMachine(results)}.`],
    ],
    sections,
    footer: [[`authz-bench results schema ${results.schemaVersion}; run settings: `, { code: settingsText(run.settings) }, '.']],
  };
}

// JUnit XML for CI systems: one <testsuite> per engine, one <testcase> per scenario step
// (each batch item separately), classname `<engine>.<scenario>`. A failing case carries
// <failure> with the expected and actual answers, an errored one <error>, an unsupported
// one <skipped> with the reason. An engine that did not run at all gets one errored case.

import type { CaseResult, RunResults } from '../results/types.ts';

/** Escapes text for XML content and double-quoted attributes; drops characters XML 1.0 forbids. */
export function escapeXml(value: unknown): string {
  return (
    String(value ?? '')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: naming the control characters XML 1.0 allows is the point
      .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
      .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
  );
}

const attrs = (a: Record<string, string | number | undefined>) =>
  Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(6);

function caseName(c: CaseResult): string {
  if (c.kind === 'scenario') return 'scenario setup';
  const at = `steps[${c.step}]${c.item !== undefined ? `[${c.item}]` : ''}`;
  const what = c.name ?? c.request;
  return `${at} ${c.kind}${what ? `: ${what}` : ''}`;
}

function details(c: CaseResult): string {
  return [
    c.request !== undefined ? `request:  ${c.request}` : undefined,
    c.expected !== undefined ? `expected: ${c.expected}` : undefined,
    c.actual !== undefined ? `actual:   ${c.actual}` : undefined,
    c.message !== undefined ? `message:  ${c.message}` : undefined,
    c.decisionId !== undefined ? `decision: ${c.decisionId}` : undefined,
  ]
    .filter((l) => l !== undefined)
    .join('\n');
}

function testcase(c: CaseResult): string {
  const head = `    <testcase${attrs({ classname: `${c.engine}.${c.scenario}`, name: caseName(c), time: seconds(c.durationMs) })}`;
  switch (c.status) {
    case 'pass':
      return `${head}/>`;
    case 'fail': {
      const message = `expected ${c.expected ?? '?'}, got ${c.actual ?? '?'}${c.message ? `: ${c.message}` : ''}`;
      return `${head}>\n      <failure${attrs({ message, type: 'mismatch' })}>${escapeXml(details(c))}</failure>\n    </testcase>`;
    }
    case 'error':
      return `${head}>\n      <error${attrs({ message: c.message ?? 'error', type: 'error' })}>${escapeXml(details(c))}</error>\n    </testcase>`;
    case 'unsupported':
      return `${head}>\n      <skipped${attrs({ message: `unsupported: ${c.message ?? 'not supported by the engine'}` })}/>\n    </testcase>`;
  }
}

export function renderJunit(results: RunResults): string {
  const timestamp = results.run.startedAt.replace(/Z$/, '').replace(/\.\d+$/, '');
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const suites = results.engines.map((engine) => {
    let cases = results.cases.filter((c) => c.engine === engine.id);
    if (cases.length === 0 && engine.skipped) {
      cases = [{ engine: engine.id, scenario: 'engine', step: -1, kind: 'scenario', status: 'error', message: `engine not run: ${engine.skipped}` }];
    }
    const count = (s: CaseResult['status']) => cases.filter((c) => c.status === s).length;
    const figures = { tests: cases.length, failures: count('fail'), errors: count('error'), skipped: count('unsupported') };
    totals.tests += figures.tests;
    totals.failures += figures.failures;
    totals.errors += figures.errors;
    totals.skipped += figures.skipped;
    const time = cases.reduce((t, c) => t + (c.durationMs ?? 0), 0);
    const properties = [
      ['engine.name', engine.name],
      ['engine.version', engine.version],
      ['engine.launch', engine.launch],
      ['engine.decisionLog', engine.decisionLog],
      ...Object.entries(engine.settings).map(([k, v]) => [`setting.${k}`, String(v)]),
      ...(engine.skipped ? [['engine.skipped', engine.skipped]] : []),
    ];
    return [
      `  <testsuite${attrs({ name: engine.id, ...figures, time: seconds(time), timestamp })}>`,
      '    <properties>',
      ...properties.map(([name, value]) => `      <property${attrs({ name, value })}/>`),
      '    </properties>',
      ...cases.map(testcase),
      '  </testsuite>',
    ].join('\n');
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attrs({ name: `authz-bench ${results.run.id}`, ...totals })}>`, ...suites, '</testsuites>', ''].join('\n');
}

// What `run` writes, `report` and `compare` read: every bundled scenario on the reference
// engine (every step kind the scenarios use), written, read back through the results-file
// check, and rendered in every format. A new step or case kind that the reader refuses fails here.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveEngineSpecs } from '../../src/engines/registry.ts';
import { compareResults } from '../../src/report/compare.ts';
import { renderHtml } from '../../src/report/html.ts';
import { renderJunit } from '../../src/report/junit.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { readResults } from '../../src/results/read.ts';
import { runAll } from '../../src/runner/run.ts';
import { loadBundledScenarios } from '../../src/scenario/load.ts';

describe('results round trip', () => {
  it('a run of every bundled scenario is read back, rendered and compared', async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), 'authz-bench-roundtrip-'));
    const scenarios = await loadBundledScenarios();
    const { results } = await runAll(await resolveEngineSpecs(['reference']), scenarios, { outDir, benchTimeMs: 0, warmupMs: 0, checkTimeoutMs: 10_000, command: 'test', log: () => {} });
    const kinds = new Set(results.cases.map((c) => c.kind));
    expect([...kinds]).toEqual(expect.arrayContaining(['check', 'batch', 'revocation', 'expectLog', 'search']));
    const read = await readResults(path.join(outDir, 'results.json'));
    expect(read.cases).toHaveLength(results.cases.length);
    expect(renderMarkdown(read)).toContain('Search completeness');
    expect(renderHtml(read)).toContain('search-table');
    expect(renderJunit(read)).toContain('<testsuite');
    expect(compareResults(read, read, { threshold: 0.1, failOnPerf: false }).regressions).toEqual([]);
  }, 120_000);

  it('reads a results folder as the results.json in it (report and compare print "results folder")', async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), 'authz-bench-folder-'));
    const [todo] = await loadBundledScenarios(['search-todo']);
    await runAll(await resolveEngineSpecs(['reference']), [todo!], { outDir, benchTimeMs: 0, warmupMs: 0, checkTimeoutMs: 10_000, command: 'test', log: () => {} });
    expect((await readResults(outDir)).cases.length).toBeGreaterThan(0);
    await expect(readResults(tmpdir())).rejects.toThrow(/is a folder, not a file/);
  });

  // The renderers read a case's durationMs (JUnit's time=, the failures table), name and
  // decision id: a string there was read and printed as time="NaN".
  it.each([
    ['durationMs', 'NaN', /cases\[0\]\.durationMs: not a results file of this version: found string "NaN", expected a number/],
    ['name', 7, /cases\[0\]\.name: .*found number 7, expected a string/],
    ['decisionId', [], /cases\[0\]\.decisionId: .*found a list, expected a string/],
  ])("a case's %s of the wrong type is bad input naming its place", async (field, value, message) => {
    const outDir = mkdtempSync(path.join(tmpdir(), 'authz-bench-case-field-'));
    const [todo] = await loadBundledScenarios(['search-todo']);
    await runAll(await resolveEngineSpecs(['reference']), [todo!], { outDir, benchTimeMs: 0, warmupMs: 0, checkTimeoutMs: 10_000, command: 'test', log: () => {} });
    const file = path.join(outDir, 'results.json');
    const results = JSON.parse(readFileSync(file, 'utf8'));
    results.cases[0][field] = value;
    writeFileSync(file, JSON.stringify(results));
    await expect(readResults(file)).rejects.toThrow(message);
  });

  it('a second run into the same folder without --resume starts afresh: no cases of the first run remain', async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), 'authz-bench-rerun-'));
    const [first, second] = await loadBundledScenarios(['authzen-todo', 'search-todo']);
    const opts = { outDir, benchTimeMs: 0, warmupMs: 0, checkTimeoutMs: 10_000, command: 'test', log: () => {} };
    await runAll(await resolveEngineSpecs(['reference']), [first!], opts);
    const { results } = await runAll(await resolveEngineSpecs(['reference']), [second!], opts);
    const lines = readFileSync(path.join(outDir, 'cases.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(results.cases.length);
    expect(lines.every((l) => JSON.parse(l).scenario === 'search-todo')).toBe(true);
  }, 120_000);
});

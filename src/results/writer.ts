// Writes a run's results as it goes: each finished case is appended to cases.jsonl at
// once, and results.json is written by an atomic rename, so a killed run loses nothing
// that finished.

import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CaseResult, RunResults } from './types.ts';

export class ResultsWriter {
  readonly casesFile: string;
  readonly resultsFile: string;
  /** One line per finished engine × scenario pair, for --resume. */
  readonly progressFile: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.casesFile = path.join(dir, 'cases.jsonl');
    this.resultsFile = path.join(dir, 'results.json');
    this.progressFile = path.join(dir, 'progress.jsonl');
  }

  markDone(engine: string, scenario: string): void {
    appendFileSync(this.progressFile, `${JSON.stringify({ engine, scenario })}\n`);
  }

  /** What an interrupted run in this folder finished: its done pairs and their cases. */
  readPrevious(): { done: Set<string>; cases: CaseResult[] } {
    const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
    const parse = <T>(line: string): T | undefined => {
      try {
        return JSON.parse(line) as T;
      } catch {
        return undefined; // a line cut by a kill
      }
    };
    const done = new Set(lines(this.progressFile).map((l) => parse<{ engine: string; scenario: string }>(l)).filter((p) => !!p).map((p) => pairKey(p!.engine, p!.scenario)));
    const cases = lines(this.casesFile).map((l) => parse<CaseResult>(l)).filter((c): c is CaseResult => !!c && done.has(pairKey(c.engine, c.scenario)));
    return { done, cases };
  }

  /** Starts cases.jsonl afresh with the given cases (those kept on resume). */
  rewriteCases(cases: CaseResult[]): void {
    writeAtomically(this.casesFile, cases.map((c) => `${JSON.stringify(c)}\n`).join(''));
  }

  appendCase(result: CaseResult): void {
    appendFileSync(this.casesFile, `${JSON.stringify(result)}\n`);
  }

  writeResults(results: RunResults): void {
    writeAtomically(this.resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  }
}

export function writeAtomically(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

export function pairKey(engine: string, scenario: string): string {
  return `${engine}\u0000${scenario}`;
}

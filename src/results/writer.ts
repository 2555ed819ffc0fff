// Writes a run's results as it goes: each finished case is appended to cases.jsonl at
// once, and results.json is written by an atomic rename, so a killed run loses nothing
// that finished.

import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CaseResult, RunResults } from './types.ts';

export class ResultsWriter {
  readonly casesFile: string;
  readonly resultsFile: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.casesFile = path.join(dir, 'cases.jsonl');
    this.resultsFile = path.join(dir, 'results.json');
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

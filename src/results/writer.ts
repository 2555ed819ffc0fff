// Writes a run's results as it goes: each finished case is appended to cases.jsonl at
// once, and results.json is written by an atomic rename, so a killed run loses nothing
// that finished. Everything written passes through redact() (no credential in any file),
// and a write that fails (disk full...) leaves the earlier content valid and throws an
// OutputError naming the file.

import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { redact } from '../core/redact.ts';
import { writing } from './output-error.ts';
import { prepareOutputFolder } from './output-folder.ts';
import type { CaseResult, PerformanceResult, RunResults } from './types.ts';
import { totalsOf } from './verdict.ts';

/** What an interrupted run in the folder finished, kept by --resume. */
export interface PreviousRun {
  done: Set<string>;
  /** Pairs marked done whose cases in cases.jsonl are fewer than it recorded (a damaged file): run again. */
  incomplete: number;
  cases: CaseResult[];
  /** Latency figures of the done pairs, from the interrupted run's results.json. */
  performance: PerformanceResult[];
}

export class ResultsWriter {
  readonly casesFile: string;
  readonly resultsFile: string;
  /** One line per finished engine × scenario pair, with its number of cases, for --resume. */
  readonly progressFile: string;
  /** Cases appended per pair by this run, recorded when the pair is marked done. */
  readonly #appended = new Map<string, number>();

  constructor(readonly dir: string) {
    prepareOutputFolder(dir);
    this.casesFile = path.join(dir, 'cases.jsonl');
    this.resultsFile = path.join(dir, 'results.json');
    this.progressFile = path.join(dir, 'progress.jsonl');
  }

  markDone(engine: string, scenario: string): void {
    appendLine(this.progressFile, JSON.stringify({ engine, scenario, cases: this.#appended.get(pairKey(engine, scenario)) ?? 0 }));
  }

  /** What an interrupted run in this folder finished: its done pairs, their cases and their latency figures. */
  readPrevious(): PreviousRun {
    const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
    const parse = <T>(line: string): T | undefined => {
      try {
        return JSON.parse(line) as T;
      } catch {
        return undefined; // a line cut by a kill
      }
    };
    const written = lines(this.casesFile)
      .map((l) => parse<CaseResult>(l))
      .filter((c): c is CaseResult => !!c && typeof c === 'object');
    const found = new Map<string, number>();
    for (const c of written) found.set(pairKey(c.engine, c.scenario), (found.get(pairKey(c.engine, c.scenario)) ?? 0) + 1);
    const marked = lines(this.progressFile)
      .map((l) => parse<{ engine: string; scenario: string; cases?: number }>(l))
      .filter((p) => !!p && typeof p === 'object');
    // A pair is kept only with every case it recorded (progress lines of older runs carry no count).
    const complete = marked.filter((p) => p!.cases === undefined || found.get(pairKey(p!.engine, p!.scenario)) === p!.cases);
    const done = new Set(complete.map((p) => pairKey(p!.engine, p!.scenario)));
    const cases = written.filter((c) => done.has(pairKey(c.engine, c.scenario)));
    const previous = existsSync(this.resultsFile) ? parse<Partial<RunResults>>(readFileSync(this.resultsFile, 'utf8')) : undefined;
    const performance = (Array.isArray(previous?.performance) ? previous.performance : []).filter(
      (p): p is PerformanceResult => !!p && typeof p === 'object' && done.has(pairKey(p.engine, p.scenario)),
    );
    return { done, incomplete: new Set(marked.map((p) => pairKey(p!.engine, p!.scenario))).size - done.size, cases, performance };
  }

  /** A new run in a folder that held one: its cases and progress would mix with this run's (and mislead a later --resume). */
  startFresh(): void {
    // Emptied, not removed: the file may be a link the user set up (or a device, in tests).
    for (const file of [this.casesFile, this.progressFile]) if (existsSync(file)) writing(file, () => writeFileSync(file, ''));
  }

  /** Starts cases.jsonl afresh with the given cases (those kept on resume). */
  rewriteCases(cases: CaseResult[]): void {
    writeAtomically(this.casesFile, cases.map((c) => `${JSON.stringify(c)}\n`).join(''));
  }

  appendCase(result: CaseResult): void {
    appendLine(this.casesFile, JSON.stringify(result));
    const key = pairKey(result.engine, result.scenario);
    this.#appended.set(key, (this.#appended.get(key) ?? 0) + 1);
  }

  /** Writes results.json with its totals block computed from the cases. */
  writeResults(results: RunResults): void {
    writeAtomically(this.resultsFile, `${JSON.stringify({ ...results, totals: totalsOf(results) }, null, 2)}\n`);
  }
}

/** Appends one redacted line; on failure the file is cut back to its previous length, so no half line stays. */
function appendLine(file: string, line: string): void {
  writing(file, () => {
    const before = existsSync(file) ? statSync(file).size : 0;
    try {
      appendFileSync(file, `${redact(line)}\n`);
    } catch (error) {
      try {
        truncateSync(file, before);
      } catch {
        // the file is as valid as the failure left it; readers skip a cut last line
      }
      throw error;
    }
  });
}

/** Writes `content` (redacted) to a temporary file and renames it over `file`; a failed write leaves `file` as it was and no temporary file. */
export function writeAtomically(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writing(file, () => {
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      writeFileSync(tmp, redact(content));
      renameSync(tmp, file);
    } catch (error) {
      rmSync(tmp, { force: true });
      throw error;
    }
  });
}

export function pairKey(engine: string, scenario: string): string {
  return `${engine}\u0000${scenario}`;
}

// The policy a translating adapter generated from the neutral model, kept as a file in the
// run's results folder, so a wrong answer can name the file and the rules that decided it
// (so a user can diagnose an answer without reading the adapter).

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunContext } from '../core/adapter.ts';

export class GeneratedPolicy {
  /** `type#name` -> where its rules are, e.g. `lines 40, 52`. */
  private readonly places = new Map<string, string>();

  private constructor(
    /** The file, or undefined when no results folder was given (tests without a run). */
    readonly file: string | undefined,
    private readonly lines: readonly string[],
  ) {}

  /**
   * Writes `text` beside the engine's log in the run's results folder, as `<engine>.<name>`
   * (`engines/opa.authzbench.rego`), replacing an earlier load's file. Without a run context
   * (a test that never started the engine) nothing is written and messages name no file.
   */
  static write(context: Pick<RunContext, 'logFile'> | undefined, name: string, text: string): GeneratedPolicy {
    let file: string | undefined;
    if (context) {
      const log = context.logFile();
      mkdirSync(path.dirname(log), { recursive: true });
      file = path.join(path.dirname(log), `${path.basename(log, '.log')}.${name}`);
      writeFileSync(file, text);
    }
    return new GeneratedPolicy(file, text.split('\n'));
  }

  /** A policy the adapter already wrote where the engine reads it (e.g. a watched folder). */
  static at(file: string, text: string): GeneratedPolicy {
    return new GeneratedPolicy(file, text.split('\n'));
  }

  /** 1-based numbers of the lines `matches` accepts (it also sees the line before). */
  linesWhere(matches: (line: string, previous: string) => boolean): number[] {
    const found: number[] = [];
    this.lines.forEach((line, i) => {
      if (matches(line, this.lines[i - 1] ?? '')) found.push(i + 1);
    });
    return found;
  }

  /**
   * `policy <file>, <what> at lines 3, 9` for the rules of one relation or permission (lines
   * found once per key, then remembered); just the file when no line matches.
   */
  describe(key: string, what: string, matches: (line: string, previous: string) => boolean): string {
    let place = this.places.get(key);
    if (place === undefined) {
      const lines = this.linesWhere(matches);
      place = lines.length ? `, ${what} at line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}` : '';
      this.places.set(key, place);
    }
    return `generated policy ${this.file ?? '(not written: no results folder)'}${place}`;
  }
}

// Command-line option parsers and the typed options of the commands that read many
// (src/cli/main.ts declares the commands). A bad value is an InputError that names the
// option, the value and the unit the option counts in, so the CLI exits 2 with one line.

import type { LaunchRequest } from '../core/adapter.ts';
import { InputError } from '../core/errors.ts';

/** A repeatable option: every value given, in order. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parser of an option that takes a whole number of `unit`, 1 or more (`positiveInt('--trials', 'trials')`). */
export function positiveInt(option: string, unit: string, max?: number): (value: string) => number {
  return wholeNumber(option, unit, 1, max);
}

/** As positiveInt, for an option where 0 means something (`--bench-time 0` skips the benchmark). */
export function nonNegativeInt(option: string, unit: string, max?: number): (value: string) => number {
  return wholeNumber(option, unit, 0, max);
}

function wholeNumber(option: string, unit: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    // Digits only: Number() would also take '', '1e3', '0x10' and ' 5 '.
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min)
      throw new InputError(option, value, `expected ${unit} as a whole number, ${min} or more`, `write ${option} followed by digits only, ${min} or more`);
    if (n > max) throw new InputError(option, value, `expected ${unit} as a whole number, at most ${max}`, `write ${option} followed by a number from ${min} to ${max}`);
    return n;
  };
}

/** `authz-bench run`. */
export interface RunCommandOptions {
  engine: string[];
  scenario: string[];
  file: string[];
  out?: string;
  set: string[];
  /** Generator params (`relationships=100000`) for the generated scenarios chosen. */
  param: string[];
  launch: LaunchRequest['strategy'];
  /** Files or folders outside a scenario's folder that its native blocks may read. */
  allowPath: string[];
  resume?: boolean;
  benchTime: number;
  warmup: number;
  checkTimeout: number;
}

/** `authz-bench bench`. */
export interface BenchCommandOptions {
  engine: string[];
  all?: boolean;
  scenario: string;
  /** A scenario file of the user's own, instead of `scenario`. */
  file?: string;
  out?: string;
  trials: number;
  duration: number;
  warmup: number;
  /** Comma-separated client counts, parsed by the command. */
  concurrency: string;
  slo: number;
  rate: number;
  maxRate: number;
  connections: number;
  set: string[];
  launch: LaunchRequest['strategy'];
  curves?: boolean;
  curve: string[];
  maxCurveSize: number;
  /** `--param key=value`: generator parameters of the scenario. */
  param: string[];
  /** `--scale 100000,1000000`: only the scale section, at these relationship counts. */
  scale?: string;
  loadBudget: number;
  memoryBudget: number;
}

/** `--param key=value` pairs with whole-number values: a scenario generator's parameters. */
export function parseGeneratorParams(pairs: string[]): Record<string, number> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const eq = pair.indexOf('=');
      const [key, value] = [pair.slice(0, Math.max(eq, 0)), pair.slice(eq + 1)];
      if (eq <= 0 || !/^\d+$/.test(value)) throw new InputError('--param', pair, 'expected key=whole number', 'e.g. --param relationships=100000');
      return [key, Number(value)];
    }),
  );
}

/** `--set key=value` pairs; anything else is a clear input error. */
export function parseSettings(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new InputError('--set', pair, 'expected key=value', 'e.g. --set consistency=HIGHER_CONSISTENCY');
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
}

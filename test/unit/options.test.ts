// Parsers of the command-line options (src/cli/options.ts).
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { collect, nonNegativeInt, parseGeneratorParams, positiveInt } from '../../src/cli/options.ts';

/** The InputError a parser throws for `value`. */
function rejection(parse: (value: string) => number, value: string): InputError {
  try {
    parse(value);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error(`expected '${value}' to be rejected`);
}

describe('whole-number options', () => {
  it('a maximum where one is given: times past an hour and absurd counts are refused, naming the range', () => {
    const duration = positiveInt('--duration', 'milliseconds', 3_600_000);
    expect(duration('3600000')).toBe(3_600_000);
    expect(rejection(duration, '99999999999').message).toBe(
      '--duration at 99999999999: expected milliseconds as a whole number, at most 3600000 (fix: write --duration followed by a number from 1 to 3600000)',
    );
    expect(rejection(nonNegativeInt('--warmup', 'milliseconds', 3_600_000), '3600001').problem).toBe('expected milliseconds as a whole number, at most 3600000');
    expect(rejection(duration, '0').problem).toBe('expected milliseconds as a whole number, 1 or more');
  });

  it('positiveInt takes 1 and more, and rejects 0 naming the option and its unit', () => {
    const trials = positiveInt('--trials', 'trials');
    expect(trials('1')).toBe(1);
    expect(trials('30')).toBe(30);
    const error = rejection(trials, '0');
    expect(error.file).toBe('--trials');
    expect(error.path).toBe('0');
    expect(error.problem).toBe('expected trials as a whole number, 1 or more');
  });

  it('each option names its own unit: seconds are not milliseconds', () => {
    expect(rejection(positiveInt('--duration', 'seconds'), '0').message).toBe(
      '--duration at 0: expected seconds as a whole number, 1 or more (fix: write --duration followed by digits only, 1 or more)',
    );
    expect(rejection(positiveInt('--rate', 'checks per second'), '-5').problem).toBe('expected checks per second as a whole number, 1 or more');
  });

  it('nonNegativeInt takes 0 where it means something (--bench-time 0 skips the benchmark)', () => {
    const benchTime = nonNegativeInt('--bench-time', 'milliseconds');
    expect(benchTime('0')).toBe(0);
    expect(benchTime('300')).toBe(300);
    expect(rejection(benchTime, '-1').problem).toBe('expected milliseconds as a whole number, 0 or more');
  });

  it('takes digits only: no empty value, fraction, exponent, hex, sign, spaces or unsafe integer', () => {
    const parse = nonNegativeInt('--seed', 'a seed');
    for (const value of ['', ' ', '1.5', '1e3', '0x10', '+1', ' 5', 'ten', '9007199254740993']) {
      expect(rejection(parse, value).problem, JSON.stringify(value)).toBe('expected a seed as a whole number, 0 or more');
    }
  });
});

describe('generator parameters', () => {
  it('takes key=whole number pairs and refuses a pair without its key, naming it', () => {
    expect(parseGeneratorParams(['relationships=100000', 'depth=10'])).toEqual({ relationships: 100_000, depth: 10 });
    for (const pair of ['100000', '=5', 'depth=', 'depth=1.5', 'depth=-1']) {
      expect(() => parseGeneratorParams([pair]), pair).toThrow(`--param at ${pair}: expected key=whole number`);
    }
  });
});

describe('repeatable options', () => {
  it('collect keeps every value in order', () => {
    expect(['a', 'b', 'c'].reduce<string[]>((all, v) => collect(v, all), [])).toEqual(['a', 'b', 'c']);
    expect(collect('x')).toEqual(['x']);
  });
});

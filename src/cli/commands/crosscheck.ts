// `authz-bench crosscheck`: the harness's latency against wrk's on the same endpoint and rate.

import { Command, Option } from 'commander';
import type { Pacing } from '../../load/open-loop.ts';
import { withHelp } from '../help.ts';
import { collect, nonNegativeInt, parseSettings, positiveInt } from '../options.ts';
import { log } from '../output.ts';

export function crosscheckCommand(): Command {
  const command = new Command('crosscheck')
    .description("cross-check the harness's latency with wrk on the same engine endpoint (OPA by default) at the same rate")
    .option('-e, --engine <engine>', 'the engine measured; its adapter must have an HTTP decision endpoint', 'opa[nolog]')
    .addOption(new Option('--rate <n>', 'checks per second').default(400).argParser(positiveInt('--rate', 'checks per second')))
    .addOption(new Option('--connections <n>', 'connections of both tools').default(4).argParser(positiveInt('--connections', 'connections', 10_000)))
    .addOption(new Option('--duration <s>', 'seconds per measurement').default(10).argParser(positiveInt('--duration', 'seconds', 3_600)))
    .addOption(new Option('--rounds <n>', 'alternating rounds of wrk and the harness').default(3).argParser(positiveInt('--rounds', 'rounds')))
    .option('-s, --scenario <id>', 'scenario loaded into OPA', 'authzen-todo')
    .addOption(new Option('--request <i>', "which of the scenario's benchmark requests is sent").default(4).argParser(nonNegativeInt('--request', 'a request index (from 0)')))
    .option('--param <key=value>', "override one of the scenario generator's parameters (repeatable)", collect)
    .option('--pin', 'pin OPA to CPU 1 and the harness and wrk to CPU 0 (taskset)')
    .addOption(new Option('--pacing <how>', "the harness's open-loop pacing").choices(['timer', 'spin']).default('timer'))
    .action(
      async (opts: {
        engine: string;
        rate: number;
        connections: number;
        duration: number;
        rounds: number;
        scenario: string;
        request: number;
        param?: string[];
        pin?: boolean;
        pacing: Pacing;
      }) => {
        const { crosscheck, crosscheckTable } = await import('../../bench/crosscheck.ts');
        const params = Object.fromEntries(Object.entries(parseSettings(opts.param ?? [])).map(([k, v]) => [k, nonNegativeInt('--param', 'a generator parameter value')(v)]));
        const rows = await crosscheck({
          engine: opts.engine,
          rate: opts.rate,
          connections: opts.connections,
          durationS: opts.duration,
          rounds: opts.rounds,
          scenario: opts.scenario,
          request: opts.request,
          params,
          pin: !!opts.pin,
          pacing: opts.pacing,
          log,
        });
        console.log(crosscheckTable(rows));
      },
    );
  return withHelp(command, {
    outputs: ['stdout   a table: rate, p50 and p99 of wrk and of the harness per round (docs/benchmarking.md)'],
    exitCodes: [
      [0, 'measured'],
      [3, 'the engine or wrk could not run'],
    ],
    examples: ['authz-bench crosscheck --pin', 'authz-bench crosscheck --rate 1000 --rounds 5 --pacing spin'],
  });
}

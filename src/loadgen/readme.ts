// The README an export folder carries: how to run its load from N machines and bring the
// results back, written from the plan so that every figure in it is the exported one.

import type { LoadGenerator, LoadPlan } from './generator.ts';

export function exportReadme(generator: LoadGenerator, plan: LoadPlan): string {
  const recipe = generator.install;
  const install =
    recipe.kind === 'go'
      ? `\`go install ${recipe.goPackage}@v${generator.version}\` (Go >= ${recipe.minGo.major}.${recipe.minGo.minor}), or \`authz-bench loadgen install\``
      : '`authz-bench loadgen install`';
  const total = plan.machines * plan.ratePerMachine;
  const names = Array.from({ length: plan.machines }, (_, i) => `m${i + 1}`);
  return `# Load for ${plan.engine.id}: ${plan.scenario.id}, ${total} checks/s from ${plan.machines} machines

Written by \`${plan.command}\` at ${plan.exportedAt}.

- Engine: ${plan.engine.name} ${plan.engine.version} (\`${plan.engine.id}\`), reached at the URL in \`${generator.targetsFile}\`.
- Requests: the ${plan.requests} benchmark requests of scenario \`${plan.scenario.id}\` (${plan.scenario.title}), sent in order and cycled, as \`authz-bench bench\` does.${plan.nowResolvedAt ? ` Their \`$now\` times were fixed at ${plan.nowResolvedAt}: export again if the engine's conditions compare them with the clock.` : ''}
- Load: ${plan.machines} machines × ${plan.ratePerMachine} checks/s; ${plan.trials} trials, each ${plan.warmupMs} ms of warm-up (not measured) then ${plan.durationMs} ms measured, one every ${plan.periodS} s.
- Generator: ${generator.description}, version ${generator.version}.

The engine must already hold the scenario's model and relationships (\`authz-bench export --load\` loads
them through the URL; with several replicas, load each one, or deploy the same policy and data to all).

## On each machine

1. Install the generator: ${install}
   (or tell the run script where it is: \`${generator.id.toUpperCase()}=/path/to/${recipe.kind === 'go' ? recipe.binary : generator.id}\`).
2. Copy this folder.
3. If the engine needs a token: \`export ${plan.tokenVariable}=...\` (it is never written to a file).

## Run

Pick a start time a little ahead, the same for every machine (clocks synchronised by NTP), and start
each machine's share with its own name:

\`\`\`sh
START=$(( $(date +%s) + 60 ))   # on one machine; use the same value everywhere
${names.map((n) => `./run.sh ${n} $START   # on machine ${n}`).join('\n')}
\`\`\`

Each writes \`results/<name>-trial<k>.bin\` (${generator.name}'s own results: every request's send
time, latency and status). Its attack name carries the trial, machine, rate, warm-up and duration.

## Import

Collect every machine's \`results/*.bin\` into \`results/\` here, then:

\`\`\`sh
authz-bench import-load ${generator.id} --export . results/*.bin
\`\`\`

This merges the machines of each trial into one latency histogram (from each request's intended send
time, as the harness's own open loop counts), gives p50, p90, p99 and p99.9 with 95% confidence intervals
over the trials, throughput, errors and the SLO verdict (p99 <= ${plan.sloMs} ms at ${total}/s), and writes
results.json and report.md, marked with the generator, the machine count and the rate per machine.
It warns when the machines' measured windows did not overlap.
`;
}

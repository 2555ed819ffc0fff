// agent-tasks: a fleet of agents, each task assigned to one agent, each task owning MCP tools
// and documents, plus seeded standing grants (an agent's own broad rights, beyond its tasks).
// Model it expects (see scenarios/agent/agent-fleet.yaml):
//   task: assignee [agent]
//   tool: task [task]; tools/call = task->assignee
//   document: task [task], reader [agent]
//     reach = reader | task->assignee     (everything the agent can read)
//     needed = task->assignee             (what its tasks need)
//     excess = reader - task->assignee    (over-permission: reachable, not needed)
// Expected answers are computed from that definition, written out below as set logic.

import { checkSteps, mulberry32 } from './random.ts';

type Check = Parameters<typeof checkSteps>[0][number];

export default {
  name: 'agent-tasks',
  description: 'Agents with task-scoped MCP tools and documents, seeded standing grants; checks of tool calls, reach, need and over-permission.',
  params: {
    agents: { default: 4, min: 1, max: 10000, description: 'number of agents' },
    tasks: { default: 6, min: 1, max: 100000, description: 'number of tasks (each assigned to one agent)' },
    tools: { default: 2, min: 1, max: 100, description: 'MCP tools per task' },
    docs: { default: 2, min: 1, max: 1000, description: 'documents per task' },
    standing: { default: 4, min: 0, max: 100000, description: 'standing reader grants outside tasks' },
    checks: { default: 40, min: 0, max: 100000, description: 'sampled checks' },
  },
  estimate: ({ agents, tasks, tools, docs, standing, checks }: Record<string, number>) => agents! + tasks! * (tools! + docs! + 3) + standing! + checks!,
  generate(params: Record<string, number>, seed: number) {
    const { agents, tasks, tools, docs, standing } = params as Record<string, number>;
    const rng = mulberry32(seed);
    const relationships: string[] = [];
    const assignee: number[] = [];
    for (let t = 0; t < tasks!; t++) {
      const a = t < agents! ? t : rng.int(agents!);
      assignee.push(a);
      relationships.push(`task:t${t}#assignee@agent:a${a}`);
      for (let k = 0; k < tools!; k++) relationships.push(`tool:t${t}-tool${k}#task@task:t${t}`);
      for (let k = 0; k < docs!; k++) relationships.push(`document:t${t}-doc${k}#task@task:t${t}`);
    }
    const readers = new Set<string>(); // `${agent}|${doc}`
    for (let s = 0; s < standing!; s++) {
      const key = `${rng.int(agents!)}|t${rng.int(tasks!)}-doc${rng.int(docs!)}`;
      if (readers.has(key)) continue;
      readers.add(key);
      const [a, doc] = key.split('|');
      relationships.push(`document:${doc}#reader@agent:a${a}`);
    }
    const taskOf = (id: string) => Number(id.slice(1, id.indexOf('-')));
    const yes = (b: boolean) => (b ? 'allow' : 'deny') as 'allow' | 'deny';
    const checks: Check[] = [];
    // Every standing grant is over-permission unless the agent's own task holds the document.
    for (const key of readers) {
      const [a, doc] = key.split('|') as [string, string];
      const needed = assignee[taskOf(doc)] === Number(a);
      checks.push({ subject: `agent:a${a}`, action: 'excess', resource: `document:${doc}`, expect: yes(!needed), name: 'standing grant: over-permission unless a task needs it' });
    }
    for (let c = 0; c < params.checks!; c++) {
      const a = rng.int(agents!);
      const t = rng.chance(0.5) ? assignee.indexOf(a) : rng.int(tasks!);
      const task = t < 0 ? rng.int(tasks!) : t;
      const mine = assignee[task] === a;
      const kind = rng.int(4);
      if (kind === 0) {
        checks.push({ subject: `agent:a${a}`, action: 'tools/call', resource: { type: 'tool', id: `t${task}-tool${rng.int(tools!)}` }, expect: yes(mine) });
      } else {
        const doc = `t${task}-doc${rng.int(docs!)}`;
        const reader = readers.has(`${a}|${doc}`);
        const action = (['reach', 'needed', 'excess'] as const)[kind - 1]!;
        const allowed = action === 'reach' ? reader || mine : action === 'needed' ? mine : reader && !mine;
        checks.push({ subject: `agent:a${a}`, action, resource: `document:${doc}`, expect: yes(allowed) });
      }
    }
    return { relationships, steps: checkSteps(checks) };
  },
};

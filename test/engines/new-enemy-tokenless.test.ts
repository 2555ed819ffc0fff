// A new-enemy step on an engine without consistency tokens: the step is unsupported (no check
// can ask for a token), but its content is still polled, and a revoked subject seen reading the
// new content is the new-enemy problem observed: a failure, not hidden in "unsupported".
import { describe, expect, it } from 'vitest';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import type { Relationship } from '../../src/core/relationship.ts';
import { runScenario } from '../../src/runner/run-scenario.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { startEngine } from '../helpers/engines.ts';

const SCENARIO = `
id: new-enemy-tokenless
title: new enemy without tokens
model:
  types:
    user: {}
    folder:
      relations:
        viewer: [user]
      permissions:
        view: viewer
    document:
      relations:
        parent: [folder]
      permissions:
        view: parent->view
relationships: [folder:f1#viewer@user:frank, document:4#parent@folder:f1]
steps:
  - revocation:
      path: relationship
      newEnemy: true
      timeoutMs: 300
      check: {subject: user:frank, action: view, resource: document:4}
      revoke: {delete: [folder:f1#viewer@user:frank]}
      content:
        write: [document:5#parent@folder:f1]
        check: {subject: user:frank, action: view, resource: document:5}
`;

/** The revocation case of the scenario on a started engine (stopped after). */
async function revocationCase(adapter: EngineAdapter) {
  try {
    const run = await runScenario(await loadScenarioText(SCENARIO, 'new-enemy.yaml'), adapter, { checkTimeoutMs: 5000 });
    return run.cases.find((c) => c.kind === 'revocation')!;
  } finally {
    await adapter.stop();
  }
}

describe('new enemy without tokens', () => {
  it('Cedar: unsupported, with the revocation and the new content polled (both deny)', async () => {
    const result = await revocationCase(await startEngine('cedar'));
    expect(result.status).toBe('unsupported');
    expect(result.actual).toBe('polled instead: deny at once; the new content: deny at once');
  });

  it('an engine whose deletes land late (a lagging replica: the real reference engine, its deletes held back) fails on the new content', async () => {
    const engine = await startEngine('reference');
    const tokenless: EngineAdapter = Object.assign(Object.create(engine) as EngineAdapter, {
      lastWriteToken: undefined,
      checkWithToken: undefined,
      // The delete is acknowledged but reaches the engine only after the content's checks.
      delete: async (relationships: Relationship[]) => void setTimeout(() => void engine.delete(relationships), 2000),
    });
    const result = await revocationCase(tokenless);
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/^new enemy observed without tokens: the revoked subject was allowed the new content \d+ time\(s\)/);
  });
});

// Engines get only the variables they need (issue 23, break 8): a real process spawned the
// way every engine is, with harness secrets and unrelated variables in the environment.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineEnvironment } from '../../src/engines/engine-env.ts';
import { spawnManaged } from '../../src/engines/process.ts';

describe('the environment of an engine process', () => {
  it('holds PATH, HOME, locale and Go knobs, and no AUTHZ_BENCH_* or other variable', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-env-'));
    const planted = { AUTHZ_BENCH_OPENFGA_TOKEN: 'planted-token', AUTHZ_BENCH_DEBUG: '1', AWS_SECRET_ACCESS_KEY: 'planted-aws', GOMAXPROCS: '2', LC_ALL: 'C.UTF-8' };
    Object.assign(process.env, planted);
    try {
      const logFile = path.join(dir, 'env.log');
      const child = spawnManaged({ name: 'env-probe', binary: '/usr/bin/env', args: [], logFile, env: { ENGINE_OWN: 'given-by-launcher' } });
      for (let i = 0; i < 100 && !child.exited; i++) await new Promise((r) => setTimeout(r, 20));
      await child.stop(1000);
      const seen = Object.fromEntries(
        readFileSync(logFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      expect(seen.PATH).toBe(process.env.PATH);
      expect(seen.GOMAXPROCS).toBe('2');
      expect(seen.LC_ALL).toBe('C.UTF-8');
      expect(seen.ENGINE_OWN).toBe('given-by-launcher');
      expect(Object.keys(seen).filter((name) => name.startsWith('AUTHZ_BENCH_'))).toEqual([]);
      expect(seen.AWS_SECRET_ACCESS_KEY).toBeUndefined();
      expect(Object.keys(seen).sort()).toEqual(Object.keys({ ...engineEnvironment(), ENGINE_OWN: '' }).sort());
    } finally {
      for (const name of Object.keys(planted)) delete process.env[name];
    }
  });
});

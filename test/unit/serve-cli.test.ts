// `authz-bench serve` end to end, as a user runs it in two terminals: serve the reference
// engine, run the Todo suite through the generic AuthZEN engine against it, stop the server
// with Ctrl-C (SIGINT); and bad input, which is exit 2 with a message naming the fix.

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const CLI = path.resolve(import.meta.dirname, '../../bin/authz-bench.js');
const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [CLI, ...args], { timeout: 120_000 });
    return { code: 0, stderr };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('authz-bench serve', () => {
  it('serve --engine reference --scenario authzen-todo, then run --engine authzen=URL: 43/43; Ctrl-C stops it (exit 130)', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-serve-cli-'));
    const server = spawn(process.execPath, [CLI, 'serve', '--engine', 'reference', '--scenario', 'authzen-todo', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 90_000);
        server.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const found = /as an AuthZEN PDP at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
          if (found) {
            clearTimeout(timer);
            resolve(found[1]!);
          }
        });
      });
      const client = await cli(['run', '--engine', `authzen=${url}`, '--scenario', 'authzen-todo', '--out', path.join(out, 'run'), '--bench-time', '50', '--warmup', '10']);
      expect(client.stderr).toContain('authzen-todo                         43/43 cases passed');
      expect(client.code).toBe(0);
    } finally {
      server.kill('SIGINT');
    }
    expect(await exited).toBe(130);
    expect(stderr).toContain('SIGINT: stopping engines');
  }, 240_000);

  it.each([
    [['serve', '--engine', 'reference'], 'give exactly one of --scenario <id> and --file <file>'],
    [['serve', '--engine', 'authzen=http://127.0.0.1:1', '--scenario', 'authzen-todo'], 'this engine is itself reached by URL'],
    [['serve', '--engine', 'reference', '--scenario', 'authzen-todo', '--port', '70000'], '--port at 70000: expected a port number from 0 to 65535'],
    [['serve', '--engine', 'reference', '--scenario', 'no-such-scenario'], 'no-such-scenario'],
  ])(
    'bad input %j: exit 2 with the fix, no stack',
    async (args, message) => {
      const { code, stderr } = await cli(args);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    },
    120_000,
  );
});

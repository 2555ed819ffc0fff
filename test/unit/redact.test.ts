// One redaction for every writer: a credential given in an engine URL or in the environment
// reaches no results file, report, case message, stderr line or recorded command
// (issue 23, break 2).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clearRegisteredSecrets, redact, registerSecretsIn } from '../../src/core/redact.ts';
import { ResultsWriter } from '../../src/results/writer.ts';

const CLI = path.resolve(import.meta.dirname, '../../bin/authz-bench.js');

afterEach(() => clearRegisteredSecrets());

describe('redact()', () => {
  it('strips URL userinfo and token query parameters wherever they appear in a text', () => {
    expect(redact('connect http://x:SECRET@127.0.0.1:8080/stores failed', [])).toBe('connect http://[redacted]@127.0.0.1:8080/stores failed');
    expect(redact('https://token-only@host/x', [])).toBe('https://[redacted]@host/x');
    expect(redact('GET http://h/v1?access_token=abc123&x=1&api_key=k9', [])).toBe('GET http://h/v1?access_token=[redacted]&x=1&api_key=[redacted]');
    expect(redact('authorization: Bearer eyJhbGciOi.payload.sig', [])).toBe('authorization: Bearer [redacted]');
    expect(redact('no secret here: user:anne view doc:1#viewer@user:bob', [])).toBe('no secret here: user:anne view doc:1#viewer@user:bob');
  });

  it('replaces secrets from the environment and from command-line URLs anywhere, decoded forms too', () => {
    registerSecretsIn(['run', '--engine', 'openfga=http://alice:p%40ss-w0rd@127.0.0.1:8080?token=tok-123456']);
    process.env.AUTHZ_BENCH_OPA_TOKEN = 'env-secret-42';
    try {
      const text = 'the server said: wrong password p@ss-w0rd (token tok-123456, opa env-secret-42) for alice';
      expect(redact(text)).toBe('the server said: wrong password [redacted] (token [redacted], opa [redacted]) for alice');
    } finally {
      delete process.env.AUTHZ_BENCH_OPA_TOKEN;
    }
    // The registered ones are used by default.
    expect(redact('p@ss-w0rd and tok-123456')).toBe('[redacted] and [redacted]');
  });

  it('keeps JSON valid and redacts what the results writer writes', () => {
    registerSecretsIn(['openfga=http://u:VerySecret1@h:1']);
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-redact-'));
    const writer = new ResultsWriter(out);
    writer.appendCase({ engine: 'openfga', scenario: 's', step: 0, kind: 'check', status: 'error', message: 'fetch http://u:VerySecret1@h:1/x failed: "VerySecret1"' });
    const line = readFileSync(writer.casesFile, 'utf8');
    expect(line).not.toContain('VerySecret1');
    expect(JSON.parse(line).message).toBe('fetch http://[redacted]@h:1/x failed: "[redacted]"');
  });
});

describe('a credential in an engine URL (CLI end to end)', () => {
  it('is refused before anything runs (exit 2), and appears nowhere: not on stderr, not in any file', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-redact-cli-'));
    const url = 'http://alice:S3cretPassw0rd@127.0.0.1:9/?token=T0kenValue99';
    const cli = spawnSync(process.execPath, [CLI, 'run', '--engine', `openfga=${url}`, '--scenario', 'authzen-todo', '--out', out, '--bench-time', '0'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, AUTHZ_BENCH_OPENFGA_TOKEN: 'EnvToken-31337' },
    });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain('credentials in the URL are not used');
    expect(cli.stderr).toContain('AUTHZ_BENCH_OPENFGA_TOKEN');
    const files = readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    for (const text of [cli.stderr, cli.stdout, ...files.map((f) => readFileSync(path.join(f.parentPath, f.name), 'utf8'))]) {
      expect(text).not.toContain('S3cretPassw0rd');
      expect(text).not.toContain('T0kenValue99');
      expect(text).not.toContain('EnvToken-31337');
    }
  });
});

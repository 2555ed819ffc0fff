// The package as users get it: every installed dependency runs on the Node the package
// declares (npm would warn EBADENGINE otherwise), and the packed tarball holds only runtime
// files, under 1 MB, and works when installed: `import('authz-bench')`, the README's library
// example and the command, from compiled code.

import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; engines: { node: string } };

type Version = [number, number, number];
const parse = (v: string): (number | undefined)[] =>
  v
    .replace(/^v/, '')
    .split('.')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : undefined));
const compare = (a: Version, b: (number | undefined)[]): number => {
  for (let i = 0; i < 3; i++) if (a[i]! !== (b[i] ?? 0)) return a[i]! - (b[i] ?? 0);
  return 0;
};

/** Whether `version` satisfies an npm `engines` range of the forms found in lock files (>=, >, <, <=, ^, ~, x-ranges, ||, *). */
function satisfies(version: Version, range: string): boolean {
  return range.split('||').some((alternative) => {
    // '>= 20' is one comparator: glue an operator to the version that follows it.
    const comparators = alternative
      .trim()
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean);
    return comparators.every((comparator) => {
      const [, op = '', text = ''] = /^(>=|<=|>|<|=|\^|~)?(.*)$/.exec(comparator) ?? [];
      if (text === '*' || text === 'x' || text === '') return true;
      const parts = parse(text);
      const given = parts.filter((p) => p !== undefined).length; // `14`, `6.*`, `0.8.x` are partial
      const c = compare(version, parts);
      switch (op) {
        case '>=':
          return c >= 0;
        case '>':
          return c > 0;
        case '<=':
          return c <= 0;
        case '<':
          return c < 0;
        case '^': {
          const major = parts[0] ?? 0;
          const upper: Version = major > 0 ? [major + 1, 0, 0] : [0, (parts[1] ?? 0) + 1, 0];
          return c >= 0 && compare(upper, version) > 0;
        }
        case '~':
          return c >= 0 && version[0] === parts[0] && (given < 2 || version[1] === parts[1]);
        default:
          return parts.slice(0, given).every((p, i) => p === version[i]);
      }
    });
  });
}

describe('package', () => {
  it('reads npm engine ranges as npm does', () => {
    expect(satisfies([20, 19, 0], '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies([20, 19, 0], '>=22.12.0')).toBe(false); // commander 15's range
    expect(satisfies([20, 19, 0], '>= 20')).toBe(true);
    expect(satisfies([20, 19, 0], '>=16 || 14 >=14.17')).toBe(true);
    expect(satisfies([20, 19, 0], '20 || >=22')).toBe(true);
    expect(satisfies([21, 0, 0], '20 || >=22')).toBe(false);
    expect(satisfies([20, 19, 0], '6.* || 8.* || >= 10.*')).toBe(true);
    expect(satisfies([20, 19, 0], '^20.0.0 || ^22.0.0 || >=24.0.0')).toBe(true);
    expect(satisfies([20, 19, 0], '~20.18.0')).toBe(false);
  });

  it("every installed package's engines.node admits the declared Node and this one", () => {
    const declared = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(pkg.engines.node)?.[1];
    expect(declared, `engines.node of package.json is ${pkg.engines.node}`).toBeDefined();
    const lowest = [...parse(declared!), 0, 0].slice(0, 3).map((n) => n ?? 0) as Version;
    const current = parse(process.versions.node).slice(0, 3) as Version;
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: Record<string, string> | string[]; version?: string }> };
    const refused: string[] = [];
    let checked = 0;
    for (const [where, entry] of Object.entries(lock.packages)) {
      const range = entry.engines && !Array.isArray(entry.engines) ? entry.engines.node : undefined;
      if (!where || !range) continue;
      checked++;
      for (const [label, version] of [
        [`declared ${declared}`, lowest],
        [`running ${process.versions.node}`, current],
      ] as const) {
        if (!satisfies(version, range)) refused.push(`${where.replace(/^node_modules\//, '')}@${entry.version}: node ${range} excludes ${label}`);
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(refused).toEqual([]);
  });

  it('packs only runtime files, under 1 MB, that work when installed (import, README example, the command)', async () => {
    const work = path.join(ROOT, '.tmp', 'package-test');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    // `npm pack` builds dist/ first (prepack).
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
    const files = packed!.files.map((f) => f.path);
    expect(packed!.size).toBeLessThan(1024 * 1024);
    // Scenario folders hold data in each engine's own format (native mode); their TypeScript is compiled into dist/.
    const allowed = /^(package\.json|README\.md|LICENSE|bin\/authz-bench\.js|dist\/.*\.(js|d\.ts)|dist\/src\/report\/assets\/.*|scenarios\/(?!.*\.ts$).*|schemas\/.*\.json|templates\/.*)$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(files.filter((f) => /(^|\/)test\/|\.test\.|^docs\/|^results\/|^src\//.test(f))).toEqual([]);
    for (const needed of [
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cli/main.js',
      'dist/src/report/assets/report.js',
      'dist/src/report/assets/report.css',
      'dist/adapters/reference/index.js',
      'dist/adapters/openfga/index.js',
      'dist/scenarios/generators/deep-tree.js',
      'scenarios/conformance/authzen-todo.yaml',
      'schemas/scenario.schema.json',
      'templates/scenario.yaml',
    ]) {
      expect(files).toContain(needed);
    }

    // Installed as npm would: the package under node_modules of a project of its own; its
    // dependencies resolve from this checkout's node_modules further up.
    const consumer = path.join(work, 'consumer');
    const installed = path.join(consumer, 'node_modules', pkg.name);
    mkdirSync(installed, { recursive: true });
    await run('tar', ['xzf', path.join(work, packed!.filename), '-C', installed, '--strip-components', '1']);
    writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const api = await run(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('authz-bench'); console.log(typeof m.run, typeof m.loadScenarioFile, typeof m.renderHtml, m.version())"],
      { cwd: consumer },
    );
    expect(api.stdout.trim()).toBe(`function function function ${pkg.version}`);

    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const example = /```js\n(\/\/ example\.mjs[\s\S]*?)```/.exec(readme)?.[1];
    expect(example, 'the README has the library example').toBeDefined();
    writeFileSync(path.join(consumer, 'example.mjs'), example!);
    const ran = await run(process.execPath, ['example.mjs'], { cwd: consumer, timeout: 120_000 });
    expect(ran.stdout).toContain('authzen-todo: 43 cases, shared-doc: 2 cases');
    expect(ran.stdout).toContain('45/45 cases passed, exit code 0');
    expect(ran.stdout).toContain('# authz-bench');

    const html = await run(
      process.execPath,
      ['--input-type=module', '-e', "const { readResults, renderHtml } = await import('authz-bench'); console.log(renderHtml(await readResults('authz-results/results.json')).length)"],
      { cwd: consumer },
    );
    expect(Number(html.stdout)).toBeGreaterThan(10_000);

    const bin = path.join(installed, 'bin', 'authz-bench.js');
    expect((await run(process.execPath, [bin, '--version'], { cwd: consumer })).stdout.trim()).toBe(pkg.version);
    const listed = await run(process.execPath, [bin, 'list', 'scenarios'], { cwd: consumer });
    expect(listed.stdout).toMatch(/authzen-todo\s+43 cases/);
  }, 900_000);
});

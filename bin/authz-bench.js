#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm run build` and at `npm pack`) when it is there
// and no TypeScript source is newer; otherwise the sources through tsx, so a git checkout
// works after `npm ci` with no build step and never runs a stale build.
import { existsSync, readdirSync, statSync } from 'node:fs';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
const sources = ['../src/', '../adapters/', '../scenarios/generators/'].map((dir) => new URL(dir, import.meta.url));

/** Whether some .ts file under the source folders changed after the build (a checkout being edited). */
function sourcesNewerThan(time) {
  return sources.some(
    (dir) =>
      existsSync(dir) && readdirSync(dir, { recursive: true, withFileTypes: true }).some((e) => e.isFile() && e.name.endsWith('.ts') && statSync(`${e.parentPath}/${e.name}`).mtimeMs > time),
  );
}

if (existsSync(compiled) && !sourcesNewerThan(statSync(compiled).mtimeMs)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}

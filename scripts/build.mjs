// Compiles the package into dist/ (`npm run build`, run by `npm pack` at prepack): tsc for the
// TypeScript, then the runtime files beside it that code reads by its own URL (the report's
// assets/), so dist/ mirrors the sources' layout.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

// Every file under src/ that is neither TypeScript nor documentation is a runtime asset.
let copied = 0;
for (const entry of readdirSync(path.join(root, 'src'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || /\.(ts|md)$/.test(entry.name)) continue;
  const from = path.join(entry.parentPath, entry.name);
  cpSync(from, path.join(dist, path.relative(root, from)));
  copied++;
}
console.log(`dist/: compiled, ${copied} asset file(s) copied`);

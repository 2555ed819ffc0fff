import { defineConfig } from 'vitest/config';

// Two projects (README.md, "Tests"):
// - unit: test/unit/, needs nothing but Node and npm ci (no Go, engines, chromium or
//   PostgreSQL): `npm run test:unit`;
// - engines: every other test file, under test/ or beside an adapter in adapters/<id>/,
//   which talks to a real engine or program (OpenFGA, OPA, Cerbos, Oso, chromium,
//   PostgreSQL) and fails or is skipped without it.
// `npm test` runs both.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Engine servers share two cores: run test files one at a time so timings stay sane.
    fileParallelism: false,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'engines', include: ['test/**/*.test.ts', 'adapters/**/*.test.ts'], exclude: ['test/unit/**'] } },
    ],
  },
});

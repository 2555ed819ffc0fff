import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'adapters/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Engine servers share two cores: run test files one at a time so timings stay sane.
    fileParallelism: false,
  },
});

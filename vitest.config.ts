import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // PGlite instances and child processes are memory-hungry; two cores anyway.
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
  },
});

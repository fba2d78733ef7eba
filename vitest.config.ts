import { defineConfig } from 'vitest/config';

/** Files that load the whole machine (a container build; three worker processes under fault injection). */
const HEAVY = ['test/image/**/*.test.ts', 'test/faults/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/support/global-setup.ts'],
    // Kills what a test file spawned and left running (a failed test skips its own cleanup).
    setupFiles: ['test/support/setup-children.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: HEAVY,
          // PGlite instances and child processes are memory-hungry; two cores anyway.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // After the rest, one file at a time: their timings (recovery from faults, a build) are not
        // disturbed by other tests, nor do they starve other tests' deadlines.
        extends: true,
        test: {
          name: 'heavy',
          include: HEAVY,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

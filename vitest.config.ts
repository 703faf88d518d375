import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The tests run real processes on a two-core machine: one file at a time.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 240_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['subgraphs/**/*.test.ts', 'gateway/**/*.test.ts', 'scripts/**/*.test.ts'] },
      },
      {
        extends: true,
        // One federation on PostgreSQL is started once for all cross-process tests.
        test: { name: 'integration', include: ['test/**/*.test.ts'], globalSetup: ['test/support/globalSetup.ts'] },
      },
    ],
  },
});

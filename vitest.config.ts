import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// One graphql for everything, as under Node: Vite would pick graphql's ES module build for the
// code under test, while Apollo's packages require its CommonJS build, and graphql refuses a
// schema built by the other copy.
const graphql = createRequire(import.meta.url).resolve('graphql');

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphql }] },
  test: {
    // The tests run real processes on a two-core machine: one file at a time.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 240_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['platform/**/*.test.ts', 'subgraphs/**/*.test.ts', 'gateway/**/*.test.ts', 'scripts/**/*.test.ts'] },
      },
      {
        extends: true,
        // One federation on PostgreSQL is started once for all cross-process tests.
        test: { name: 'integration', include: ['test/**/*.test.ts'], globalSetup: ['test/support/globalSetup.ts'] },
      },
    ],
  },
});

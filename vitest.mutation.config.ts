import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// The unit tests of the security-critical modules, for mutation testing (stryker.config.mjs): no
// processes, no federation, so that each mutant is judged in seconds. One graphql, as in
// vitest.config.ts.
const graphql = createRequire(import.meta.url).resolve('graphql');

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphql }] },
  test: {
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 60_000,
    include: [
      'gateway/policy/*.test.ts',
      'gateway/limits.test.ts',
      'gateway/documentCheck.test.ts',
      'gateway/auth/*.test.ts',
      'gateway/audit/*.test.ts',
      'platform/trust/gatewaySignature.test.ts',
      'platform/domain/uscc.test.ts',
      'platform/domain/residentId.test.ts',
    ],
  },
});

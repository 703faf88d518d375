// Mutation testing of the security-critical modules (make mutation): each mutant is a small
// change to the code (a condition flipped, a branch emptied, a bound moved by one) and the unit
// tests must notice it. scripts/mutationScore.ts prints the score per module from the JSON report
// and fails under 80% on any of them.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'gateway/policy/enforcement.ts',
    'gateway/policy/masking.ts',
    'gateway/limits.ts',
    'gateway/documentCheck.ts',
    'gateway/auth/authenticate.ts',
    'platform/trust/gatewaySignature.ts',
    'gateway/audit/auditLog.ts',
    'gateway/audit/anchors.ts',
    'platform/domain/uscc.ts',
  ],
  coverageAnalysis: 'perTest',
  checkers: [],
  concurrency: 2,
  timeoutMS: 10_000,
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['.data', '.tools', 'dist', 'bench/results', 'reports', 'test-results', '.stryker-tmp'],
  reporters: ['json', 'progress'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  cleanTempDir: 'always',
};

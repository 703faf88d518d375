// @ts-check
// The TypeScript lint of the repository, checked by `make lint` as part of `make test`: ESLint's
// recommended rules and typescript-eslint's type-checked ones (they read the types tsc infers,
// from tsconfig.json, so a promise nobody awaits or an `any` leaking out of a JSON parse is
// found), plus the few below. Formatting is Prettier's (prettier.config.js), not ESLint's.
//
// A rule is switched off or loosened here only with the reason next to it.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Test code: the cross-process tests and their support, and the unit tests beside each module. */
const TESTS = ['test/**/*.ts', '**/*.test.ts'];

export default defineConfig(
  {
    // Built output, generated code (never edited by hand, STYLE.md point 9), installed tools, and
    // the browser scripts of the console and the explorer, which are plain JavaScript for a
    // browser and served as written (no build step to lint them against).
    ignores: ['dist/', '**/generated/', 'node_modules/', '.tools/', '.data/', '.stryker-tmp*/', 'reports/', 'gateway/console/*.js', 'gateway/explorer/*.js'],
  },
  {
    files: ['{platform,gateway,subgraphs,scripts,bench,test}/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    // A disable comment that no longer silences anything is an error, so none outlives its reason.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `import { type X }` beside the values, as the code writes it: a type-only import is erased
      // from the JavaScript, so it can never start a module's side effects or an import cycle at run time.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // A name that starts with `_` is unused on purpose: a parameter an interface requires, a
      // property taken out of an object so that the rest can be passed on.
      '@typescript-eslint/no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Off: an `async` function without `await` is how this code implements an interface that
      // returns a promise (Apollo's plugin hooks, a rate limiter kept in memory, a test's token
      // factory) so that what it throws reaches the caller as a rejection, as from every other
      // implementation; without `async` it would throw synchronously instead. The promise mistakes
      // that matter are no-floating-promises' and no-misused-promises', which stay on.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: TESTS,
    rules: {
      // Off in tests: a test reads GraphQL answers, access-log records and gRPC clients loaded
      // from a .proto at run time without declaring their shape first, because the shape is what
      // its `expect` asserts; a declared type would only restate the assertion. Such values are
      // typed `Untyped` (test/support/untyped.ts), the one `any` of the test code (no-explicit-any
      // stays on), and these rules would flag every read of one. Production code keeps them.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);

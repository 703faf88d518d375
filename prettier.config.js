// The layout of the code, checked by `make lint` (prettier --check) as part of `make test`.
// Chosen to match how the code was written before Prettier came, so that adopting it moved
// little: single quotes, semicolons, trailing commas wherever a list is broken over lines,
// and long lines. printWidth 200: one line of this code is typically one statement that reads
// as one sentence (a call with its options, a test's expectation); 99% of lines were already
// within 180 characters and 99.9% within 245, and 200 reflowed the fewest lines of the widths
// measured (120: 9,500 lines changed; 160: 3,900; 200: 2,250).

/** @type {import('prettier').Config} */
export default {
  printWidth: 200,
  singleQuote: true,
  trailingComma: 'all',
  overrides: [
    {
      // The rule set's comments are prose strings joined with `+` and wrapped at 100 columns like
      // the comments around them; at 200 they would be strung onto single long lines.
      files: '.dependency-cruiser.cjs',
      options: { printWidth: 100 },
    },
  ],
};

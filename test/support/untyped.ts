/** The one `any` of the test code (eslint.config.js says why no-unsafe-* are off in tests). */

/**
 * A value a test reads without declaring its shape first: a GraphQL answer's data, an access-log
 * record, a gRPC client loaded from a .proto at run time. Its shape is what the test's `expect`
 * asserts, so a declared type would only restate the assertion, and one kept apart from it could
 * disagree with it unseen.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the one place test code opts out of types, said above
export type Untyped = any;

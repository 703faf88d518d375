/** How errors look to callers of the gateway. */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { logger } from '../platform/observability/logger.js';

/**
 * Input-validation codes raised by the graph's own scalars. GraphQL validation reports them as
 * GRAPHQL_VALIDATION_FAILED; callers get the precise code back (INVALID_USCC says more than
 * "validation failed" to an approval system deciding what to tell its user).
 */
const DOMAIN_INPUT_CODES = new Set(['INVALID_USCC', 'INVALID_DATE']);

/** Apollo Server's formatError: restores the domain code of input errors. */
export function formatGatewayError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  const code = original instanceof GraphQLError ? original.extensions['code'] : undefined;
  if (typeof code === 'string' && DOMAIN_INPUT_CODES.has(code)) {
    return { ...formatted, extensions: { ...formatted.extensions, code } };
  }
  // An agency's own error, passed on by the planner: named by the agency, as the gateway's own are.
  const serviceName = formatted.extensions?.['serviceName'];
  if (typeof serviceName === 'string') {
    const { serviceName: _, ...extensions } = formatted.extensions!;
    return { ...formatted, extensions: { ...extensions, service: serviceName } };
  }
  // A failure without a code of its own says nothing of the gateway's internals to the caller.
  if (formatted.extensions?.['code'] === 'INTERNAL_SERVER_ERROR') {
    logger().error({ event: 'request failed', error: String(error), path: formatted.path ?? null });
    return { message: 'the request could not be answered', ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  // The parser stops at the token limit (parseOptions.maxTokens); say which limit it was.
  if (formatted.extensions?.['code'] === 'GRAPHQL_PARSE_FAILED' && /^Syntax Error: Document contains more th(?:an|at) \d+ tokens/.test(formatted.message)) {
    return { ...formatted, extensions: { ...formatted.extensions, code: 'TOKEN_LIMIT_EXCEEDED' } };
  }
  return formatted;
}

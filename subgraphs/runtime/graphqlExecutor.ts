/**
 * Executes the GraphQL requests the gateway sends a subgraph: one JSON body, parsed and validated
 * once per distinct query text, then executed by graphql-js against the subgraph schema.
 *
 * A subgraph answers one caller, the gateway, which has already checked, limited and planned the
 * operation: it needs none of a public server's request pipeline (plugins, content negotiation,
 * cache hints, persisted queries). Apollo Server did this before at about 40 µs more per request
 * in a loop, four times per profile on the agencies' core. The answers are as the GraphQL over
 * HTTP specification and Apollo Server give them: 400 with GRAPHQL_PARSE_FAILED or
 * GRAPHQL_VALIDATION_FAILED for a document that cannot run, 200 with `errors` beside `data`
 * otherwise, INTERNAL_SERVER_ERROR on an error that carries no code, and never a stack trace.
 * Execution is a span of its own (`graphql.execute`, with the operation's type) within the
 * request's, and each response says how the request ended, for the subgraph's metrics.
 */
import { getOperationAST, GraphQLError, OperationTypeNode, parse, validate, execute, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { logger, type Logger } from '../../platform/observability/logger.js';
import { codeLabel, NO_CODE, type Outcome } from '../../platform/observability/metrics.js';
import { withSpan } from '../../platform/observability/tracing.js';

/** What a subgraph answers: the HTTP status and the JSON body, and how the request ended. */
export interface ExecutorResponse {
  readonly status: number;
  readonly body: string;
  /** `refused` (it could not run), `error` (it ran and gave no data), `partial` or `ok`. */
  readonly outcome: Outcome;
  /** The first error's code (as a metric label: the product's codes, else OTHER), or NONE. */
  readonly code: string;
}

/** The same answer before it is serialized: the result as it goes on the wire. */
export interface ExecutorResult extends Omit<ExecutorResponse, 'body'> {
  readonly result: { readonly errors?: GraphQLFormattedError[]; readonly data?: unknown };
}

/**
 * How the formatted errors of a response are shown to the gateway (say, an agency's internal
 * failures hidden); `log` is the request's logger, for what is hidden.
 */
export type FormatError = (formatted: GraphQLFormattedError, error: GraphQLError, log: Logger) => GraphQLFormattedError;

/** Most distinct query texts kept parsed and validated (the gateway's plans give a few dozen). */
const CACHED_DOCUMENTS = 1_000;
/** Longer texts are parsed every time rather than kept (values travel in variables). */
const CACHED_TEXT_CHARS = 100_000;

/** A document ready to execute, or the errors that stop it. */
type Prepared = { readonly document: DocumentNode } | { readonly errors: readonly GraphQLError[]; readonly code: string };

/** Runs GraphQL requests against one schema. */
export class SubgraphExecutor<C> {
  private readonly documents = new Map<string, Prepared>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly formatError: FormatError = internalMessageHidden,
  ) {}

  /**
   * Executes the request in `body` (the parsed JSON body) with `context` as the resolvers'
   * context; what it hides goes to `log` (the request's logger).
   */
  async run(body: unknown, context: () => C, log: Logger = logger()): Promise<ExecutorResponse> {
    const { result, ...answer } = await this.execute(body, context, log);
    return { ...answer, body: JSON.stringify(result) };
  }

  /** As {@link run}, the result left as an object: for a subgraph run in the caller's process. */
  async execute(body: unknown, context: () => C, log: Logger = logger()): Promise<ExecutorResult> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return badRequest('the body must be a JSON object');
    const { query, variables, operationName } = body as Record<string, unknown>;
    if (typeof query !== 'string' || query.length === 0) return badRequest('GraphQL operations must contain a non-empty `query`');
    if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return badRequest('`variables` must be a JSON object');
    if (operationName != null && typeof operationName !== 'string') return badRequest('`operationName` must be a string');

    const prepared = this.prepare(query);
    if ('errors' in prepared) return this.respond(400, { errors: prepared.errors }, prepared.code, log);
    const operation = getOperationAST(prepared.document, operationName ?? undefined);
    if (!operation) {
      const message = operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.';
      return this.respond(400, { errors: [new GraphQLError(message)] }, 'OPERATION_RESOLUTION_FAILURE', log);
    }
    if (operation.operation === OperationTypeNode.SUBSCRIPTION) return this.respond(400, { errors: [new GraphQLError('Subscriptions are not served over HTTP here.')] }, 'BAD_REQUEST', log);

    const result = await withSpan('graphql.execute', { 'graphql.operation.type': operation.operation }, () =>
      execute({
        schema: this.schema,
        document: prepared.document,
        variableValues: (variables as Record<string, unknown> | null | undefined) ?? undefined,
        operationName: operationName ?? undefined,
        contextValue: context(),
      }),
    );
    // A result without data failed before execution: its variables could not be coerced.
    return this.respond(200, result, 'data' in result ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT', log);
  }

  /** The parsed, validated document of `query`, or its errors; kept for the next request with the same text. */
  private prepare(query: string): Prepared {
    const cached = this.documents.get(query);
    if (cached) return cached;
    let prepared: Prepared;
    try {
      const document = parse(query);
      const errors = validate(this.schema, document);
      prepared = errors.length > 0 ? { errors, code: 'GRAPHQL_VALIDATION_FAILED' } : { document };
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      prepared = { errors: [error], code: 'GRAPHQL_PARSE_FAILED' };
    }
    if (query.length > CACHED_TEXT_CHARS) return prepared;
    // Oldest first out: a Map iterates in insertion order.
    if (this.documents.size >= CACHED_DOCUMENTS) this.documents.delete(this.documents.keys().next().value!);
    this.documents.set(query, prepared);
    return prepared;
  }

  /** The response for `result`; an error without a code gets `defaultCode`. */
  private respond(status: number, result: { readonly errors?: readonly GraphQLError[]; readonly data?: unknown }, defaultCode: string, log: Logger): ExecutorResult {
    const out: { errors?: GraphQLFormattedError[]; data?: unknown } = {};
    if (result.errors && result.errors.length > 0) {
      out.errors = result.errors.map((error) => {
        const { message, locations, path, extensions } = error.toJSON();
        const formatted: GraphQLFormattedError = {
          message,
          ...(locations ? { locations } : {}),
          ...(path ? { path } : {}),
          extensions: { ...extensions, code: extensions?.['code'] ?? defaultCode },
        };
        return this.formatError(formatted, error, log);
      });
    }
    if ('data' in result) out.data = result.data;
    const code = out.errors ? codeLabel(out.errors[0]!.extensions?.['code']) : NO_CODE;
    // Without data it never ran (a document or variables it could not take); with null data it ran and failed.
    const outcome: Outcome = status !== 200 || !('data' in out) ? 'refused' : !out.errors ? 'ok' : out.data !== null ? 'partial' : 'error';
    return { status, result: out, outcome, code };
  }
}

/**
 * The default way errors are shown: an error without a code of its own (a database driver's,
 * a bug's) says only that the request could not be answered; its message goes to the log, never
 * to the caller, who has no use for a driver's words and might learn the store's internals.
 */
export function internalMessageHidden(formatted: GraphQLFormattedError, error: GraphQLError, log: Logger): GraphQLFormattedError {
  if (formatted.extensions?.['code'] !== 'INTERNAL_SERVER_ERROR') return formatted;
  log.error({ event: 'resolver failed', error: String(error.originalError ?? error), path: formatted.path }, 'a resolver failed; the caller is told only that the request could not be answered');
  return {
    message: 'the request could not be answered',
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

function badRequest(message: string): ExecutorResult {
  return { status: 400, result: { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] }, outcome: 'refused', code: 'BAD_REQUEST' };
}

/**
 * Runs one agency's subgraph: its own database (migrated at start), its Apollo subgraph schema,
 * and an HTTP server that answers GraphQL only for requests signed by the gateway
 * ({@link SubgraphExecutor} runs them).
 *
 * Routes: POST /graphql (signed), GET /healthz (the process is up), GET /readyz (the database
 * answers), GET /metrics (request and SQL statement counters, no data).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import type { GraphQLFormattedError, GraphQLResolveInfo, GraphQLScalarType } from 'graphql';

import { projectRoot } from '../../platform/config/projectRoot.js';
import { migrate, openDatabase, type Database, type Statements } from '../../platform/db/database.js';
import type { Agency } from '../../platform/domain/agencies.js';
import { checkCodeCount } from '../../platform/domain/codeLists.js';
import { AmountScalar, DateScalar, USCCScalar } from '../../platform/domain/scalars.js';
import { closeServer, graphqlError, listen, readBody, sendJson, sendTooLarge, stopOnSignals } from '../../platform/http/httpServer.js';
import { CursorSealer, cursorKey } from '../../platform/trust/cursor.js';
import { type CallerContext, requestSigningKey, SIGNATURE_HEADER, SignatureVerifier } from '../../platform/trust/gatewaySignature.js';
import { readPrivateKey, readPublicKey } from '../../platform/trust/keys.js';
import { loadSubgraphConfig, type SubgraphConfig } from './config.js';
import { SubgraphExecutor } from './graphqlExecutor.js';
import { subgraphTypeDefs } from './subgraphSchema.js';

/** What resolvers of every subgraph receive as context. */
export interface SubgraphContext<Sources> {
  /** Who the gateway is asking for (from the signed context). */
  readonly caller: CallerContext;
  /** The agency's data sources for this request (their batches live for one request). */
  readonly sources: Sources;
}

/** An enterprise as resolvers pass it on: its code, from which each agency reads its own records. */
export interface EnterpriseReference {
  readonly uscc: string;
}

/**
 * An agency's resolvers, as the `Resolvers` type generated from its schema describes them
 * (subgraphs/<agency>/generated/resolvers.ts): per GraphQL type, its field resolvers over context
 * `C` and, for an entity, `__resolveReference`, which Apollo calls with the reference, the context
 * and the info rather than with a field resolver's four arguments.
 */
export type SubgraphResolvers<C> = {
  readonly [typeName: string]:
    | { readonly [field: string]: FieldResolver<C> | { readonly resolve: FieldResolver<C> } | ReferenceResolver<C> | undefined }
    | GraphQLScalarType
    | undefined;
};

/** A field resolver over context `C`, whatever its parent and arguments. */
type FieldResolver<C> = (parent: never, args: never, context: C, info: GraphQLResolveInfo) => unknown;

/** An entity's `__resolveReference` over context `C`. */
type ReferenceResolver<C> = (reference: never, context: C, info: GraphQLResolveInfo) => unknown;

/** How an agency's subgraph is made from its parts. */
export interface SubgraphDefinition<Sources> {
  readonly agency: Agency;
  readonly resolvers: SubgraphResolvers<SubgraphContext<Sources>>;
  /** Data sources for one request over the agency's database. */
  readonly createSources: (db: Statements, cursors: CursorSealer) => Sources;
}

/** A running subgraph. */
export interface RunningSubgraph {
  readonly url: string;
  readonly db: Database;
  /** Stops taking requests, finishes those under way and closes the database. */
  stop(): Promise<void>;
}

/** Query.enterprisesByCode, the same in every subgraph: references for the codes, no database read. */
function enterprisesByCode(_: unknown, { uscc }: { uscc: string[] }): EnterpriseReference[] {
  checkCodeCount(uscc);
  return uscc.map((code) => ({ uscc: code }));
}

/**
 * What a caller learns of a failure inside the agency (its database down, a bug): that the
 * agency could not answer, not the driver's message. The whole error goes to the log.
 */
export function internalErrorHidden(agency: string, formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (formatted.extensions?.['code'] !== 'INTERNAL_SERVER_ERROR') return formatted;
  console.error(JSON.stringify({ level: 'error', agency, error: String((error as { originalError?: unknown })?.originalError ?? error), path: formatted.path }));
  return {
    message: `the ${agency} subgraph could not read its data`,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'AGENCY_DATA_UNAVAILABLE' },
  };
}

/** Largest request body a subgraph reads (the gateway's batches of 1,000 codes fit easily). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Starts the subgraph of `definition` with the configuration from the environment. */
export async function runSubgraph<Sources>(
  definition: SubgraphDefinition<Sources>,
  config: SubgraphConfig = loadSubgraphConfig(definition.agency),
): Promise<RunningSubgraph> {
  const ownKey = readPrivateKey(config.signingKeyFile);
  const signingKey = requestSigningKey(ownKey, readPublicKey(config.gatewayPublicKeyFile), definition.agency);
  // Cursors are sealed with a key of this agency's own: the gateway and the other agencies cannot read them.
  const cursors = new CursorSealer(cursorKey(ownKey, definition.agency), { ttlMs: config.cursorTtlMs });
  const verifier = new SignatureVerifier(signingKey, { maxSkewMs: config.signatureMaxSkewMs });
  // Every statement of a data source looks rows up by code or by prefix through an index.
  const db = await openDatabase(config.database, { poolSize: config.databasePoolSize, genericPlans: true });
  await migrate(db, path.join(projectRoot, 'subgraphs', definition.agency, 'migrations'));

  const schema = buildSubgraphSchema([
    {
      typeDefs: subgraphTypeDefs(definition.agency),
      resolvers: {
        USCC: USCCScalar,
        Date: DateScalar,
        Amount: AmountScalar,
        ...definition.resolvers,
        Query: { enterprisesByCode, ...(definition.resolvers['Query'] as object | undefined) },
      } as GraphQLResolverMap<unknown>,
    },
  ]);
  const executor = new SubgraphExecutor<SubgraphContext<Sources>>(schema, (formatted, error) => internalErrorHidden(definition.agency, formatted, error));

  const served = await serveSignedGraphQL({
    name: definition.agency,
    host: config.host,
    port: config.port,
    executor,
    verifier,
    contextFor: (caller) => ({ caller, sources: definition.createSources(db.forRequest(), cursors) }),
    readiness: async () => {
      try {
        await db.ping();
        return { ready: true, detail: { agency: definition.agency, backend: db.backend } };
      } catch {
        return { ready: false, detail: { agency: definition.agency, status: 'database unavailable' } };
      }
    },
    metrics: () =>
      [
        '# HELP meg_subgraph_sql_statements_total SQL statements issued by data sources, by table.',
        '# TYPE meg_subgraph_sql_statements_total counter',
        ...Object.entries(db.statementCounts()).map(([table, n]) => `meg_subgraph_sql_statements_total{agency="${definition.agency}",table="${table}"} ${n}`),
        '# HELP meg_subgraph_sql_round_trips_total Statements sent to the database (a request\'s statements of one turn travel as one).',
        '# TYPE meg_subgraph_sql_round_trips_total counter',
        `meg_subgraph_sql_round_trips_total{agency="${definition.agency}"} ${db.roundTrips()}`,
      ],
    artificialDelayMs: config.artificialDelayMs,
    accessLog: config.accessLog,
    requireSignature: config.requireGatewaySignature,
  });
  if (!config.requireGatewaySignature) {
    console.warn(`${definition.agency} subgraph: MEG_REQUIRE_GATEWAY_SIGNATURE=off — unsigned requests are answered. For benchmarks only.`);
  }

  return {
    url: served.url,
    db,
    async stop() {
      await served.stop();
      await db.close();
    },
  };
}

/**
 * Runs a subgraph as the main program of its process: logs where it listens, and on SIGTERM or
 * SIGINT finishes the requests under way before exiting.
 */
export async function main<Sources>(definition: SubgraphDefinition<Sources>): Promise<void> {
  let running: RunningSubgraph;
  try {
    running = await runSubgraph(definition);
  } catch (error) {
    console.error(`${definition.agency} subgraph cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(`${definition.agency} subgraph on ${running.url} (${running.db.backend})`);
  stopOnSignals(() => running.stop());
}

/** How {@link serveSignedGraphQL} serves a subgraph. */
export interface SignedGraphQLOptions<C extends object> {
  /** Not shared with other cluster workers (a worker's in-process subgraph). */
  readonly exclusive?: boolean;
  /** The subgraph's name in logs and metrics. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly executor: SubgraphExecutor<C>;
  readonly verifier: SignatureVerifier;
  /** The resolvers' context for a request the gateway signed for `caller`. */
  readonly contextFor: (caller: CallerContext) => C;
  /** Whether the subgraph can answer (its database, say), with details for /readyz. */
  readonly readiness: () => Promise<{ ready: boolean; detail: Record<string, unknown> }>;
  /** More Prometheus lines for /metrics. */
  readonly metrics?: () => string[];
  readonly artificialDelayMs?: number;
  readonly accessLog?: boolean;
  /** False only for the benchmark: unsigned requests are answered as an anonymous caller. */
  readonly requireSignature?: boolean;
}

/** The caller of an unsigned request when signatures are not required (benchmark only). */
const UNSIGNED_CALLER: CallerContext = { requestId: 'unsigned', sub: 'unsigned', agency: null, roles: [], region: null, purpose: null };

/**
 * Serves a subgraph over HTTP: POST /graphql for requests signed by the gateway (anything else is
 * refused before a resolver runs), GET /healthz, /readyz and /metrics.
 */
export async function serveSignedGraphQL<C extends object>(options: SignedGraphQLOptions<C>): Promise<{ url: string; stop(): Promise<void> }> {
  const { name, executor, verifier } = options;
  let graphqlRequests = 0;
  let refusedRequests = 0;
  let abandonedRequests = 0;
  let requestSeconds = 0;
  let signatureChecks = 0;
  let signatureSeconds = 0;
  let inFlight = 0;
  let draining = false;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let abandoned = false;
    res.on('close', () => {
      if (!res.writableFinished) abandoned = true;
    });
    const url = new URL(req.url ?? '/', 'http://subgraph');
    if (req.method === 'GET' && url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && url.pathname === '/readyz') {
      if (draining) return sendJson(res, 503, { status: 'draining' });
      const { ready, detail } = await options.readiness();
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...detail });
    }
    if (req.method === 'GET' && url.pathname === '/metrics') {
      return sendText(res, 200, metricsText(name, graphqlRequests, refusedRequests, [
        '# HELP meg_subgraph_requests_in_flight GraphQL requests accepted whose handling has not ended (answered, or found abandoned).',
        '# TYPE meg_subgraph_requests_in_flight gauge',
        `meg_subgraph_requests_in_flight{agency="${name}"} ${inFlight}`,
        '# HELP meg_subgraph_abandoned_requests_total Requests the gateway gave up on before they were executed.',
        '# TYPE meg_subgraph_abandoned_requests_total counter',
        `meg_subgraph_abandoned_requests_total{agency="${name}"} ${abandonedRequests}`,
        '# HELP meg_subgraph_request_seconds Time spent answering GraphQL requests (from the signature check to the last byte).',
        '# TYPE meg_subgraph_request_seconds summary',
        `meg_subgraph_request_seconds_sum{agency="${name}"} ${requestSeconds}`,
        `meg_subgraph_request_seconds_count{agency="${name}"} ${graphqlRequests}`,
        '# HELP meg_subgraph_signature_check_seconds Time spent checking gateway signatures (header, HMAC, nonce, caller context).',
        '# TYPE meg_subgraph_signature_check_seconds summary',
        `meg_subgraph_signature_check_seconds_sum{agency="${name}"} ${signatureSeconds}`,
        `meg_subgraph_signature_check_seconds_count{agency="${name}"} ${signatureChecks}`,
        ...(options.metrics?.() ?? []),
      ]));
    }
    if (url.pathname !== '/graphql') return sendJson(res, 404, graphqlError('NOT_FOUND', 'no such route'));
    if (req.method !== 'POST') return sendJson(res, 405, graphqlError('METHOD_NOT_ALLOWED', 'use POST'), { allow: 'POST' });

    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === null) return sendTooLarge(res, MAX_BODY_BYTES);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      requestSeconds += Number(process.hrtime.bigint() - started) / 1e9;
    });
    const unsigned = options.requireSignature === false && req.headers[SIGNATURE_HEADER] === undefined;
    let verdict: ReturnType<SignatureVerifier['verify']>;
    if (unsigned) {
      verdict = { ok: true, caller: UNSIGNED_CALLER };
    } else {
      const checking = process.hrtime.bigint();
      verdict = verifier.verify({ method: 'POST', path: url.pathname, body }, req.headers);
      signatureSeconds += Number(process.hrtime.bigint() - checking) / 1e9;
      signatureChecks++;
    }
    if (!verdict.ok) {
      refusedRequests++;
      return sendJson(res, verdict.status, graphqlError(verdict.code, verdict.message));
    }
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      return sendJson(res, 415, graphqlError('UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json'));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return sendJson(res, 400, graphqlError('BAD_REQUEST', 'the body is not JSON'));
    }
    graphqlRequests++;
    inFlight++;
    try {
      if (options.accessLog) {
        // The agency's own record of who asked, for what, through the gateway.
        const { requestId, sub, agency, purpose } = verdict.caller;
        const operationName = (parsed as { operationName?: unknown }).operationName ?? null;
        console.log(JSON.stringify({ at: new Date().toISOString(), event: 'graphql', agency: name, requestId, caller: { sub, agency, purpose }, operationName }));
      }
      if (options.artificialDelayMs) await new Promise((r) => setTimeout(r, options.artificialDelayMs));
      if (abandoned) {
        // The gateway gave up on this request (its caller cancelled or its deadline passed): no work for nobody.
        abandonedRequests++;
        return;
      }
      const caller = verdict.caller;
      const response = await executor.run(parsed, () => options.contextFor(caller));
      res.writeHead(response.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(response.body) });
      res.end(response.body);
    } finally {
      inFlight--;
    }
  };

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, graphqlError('INTERNAL_SERVER_ERROR', 'internal error'));
      else res.destroy();
    });
  });
  await listen(server, options.port, options.host, options.exclusive);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}/graphql`,
    async stop() {
      draining = true;
      await closeServer(server);
    },
  };
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  res.end(text);
}

function metricsText(agency: string, requests: number, refused: number, more: readonly string[]): string {
  const lines = [
    '# HELP meg_subgraph_graphql_requests_total GraphQL requests accepted (signed by the gateway).',
    '# TYPE meg_subgraph_graphql_requests_total counter',
    `meg_subgraph_graphql_requests_total{agency="${agency}"} ${requests}`,
    '# HELP meg_subgraph_refused_requests_total Requests refused for a missing or bad gateway signature.',
    '# TYPE meg_subgraph_refused_requests_total counter',
    `meg_subgraph_refused_requests_total{agency="${agency}"} ${refused}`,
    ...more,
  ];
  return `${lines.join('\n')}\n`;
}

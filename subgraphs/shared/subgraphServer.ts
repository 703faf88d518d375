/**
 * Runs one agency's subgraph: its own database (migrated at start), its Apollo subgraph schema,
 * and an HTTP server that answers GraphQL only for requests signed by the gateway.
 *
 * Routes: POST /graphql (signed), GET /healthz (the process is up), GET /readyz (the database
 * answers), GET /metrics (request and SQL statement counters, no data).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';

import { type CallerContext, SignatureVerifier } from './gatewaySignature.js';
import { projectRoot, subgraphTypeDefs, type Agency } from './agencies.js';
import { loadSubgraphConfig, type SubgraphConfig } from './config.js';
import { migrate, openDatabase, type Database } from './database.js';
import { readPublicKey } from './keys.js';
import { AmountScalar, DateScalar, USCCScalar } from './scalars.js';

/** What resolvers of every subgraph receive as context. */
export interface SubgraphContext<Sources> {
  /** Who the gateway is asking for (from the signed context). */
  readonly caller: CallerContext;
  /** The agency's data sources for this request (their batches live for one request). */
  readonly sources: Sources;
}

/** How an agency's subgraph is made from its parts. */
export interface SubgraphDefinition<Sources> {
  readonly agency: Agency;
  readonly resolvers: GraphQLResolverMap<SubgraphContext<Sources>>;
  /** Data sources for one request over the agency's database. */
  readonly createSources: (db: Database) => Sources;
}

/** A running subgraph. */
export interface RunningSubgraph {
  readonly url: string;
  readonly db: Database;
  /** Stops taking requests, finishes those under way and closes the database. */
  stop(): Promise<void>;
}

/** Largest request body a subgraph reads (the gateway's batches of 1,000 codes fit easily). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Starts the subgraph of `definition` with the configuration from the environment. */
export async function runSubgraph<Sources>(
  definition: SubgraphDefinition<Sources>,
  config: SubgraphConfig = loadSubgraphConfig(definition.agency),
): Promise<RunningSubgraph> {
  const verifier = new SignatureVerifier(readPublicKey(config.gatewayPublicKeyFile), { maxSkewMs: config.signatureMaxSkewMs });
  const db = await openDatabase(config.database, { poolSize: config.databasePoolSize });
  await migrate(db, path.join(projectRoot, 'subgraphs', definition.agency, 'migrations'));

  const schema = buildSubgraphSchema([
    {
      typeDefs: subgraphTypeDefs(definition.agency),
      resolvers: { USCC: USCCScalar, Date: DateScalar, Amount: AmountScalar, ...definition.resolvers } as GraphQLResolverMap<unknown>,
    },
  ]);
  const apollo = new ApolloServer<SubgraphContext<Sources>>({
    schema,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // Traces would tell callers how long each resolver took; the gateway has no use for them.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();

  let graphqlRequests = 0;
  let refusedRequests = 0;
  let draining = false;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://subgraph');
    if (req.method === 'GET' && url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && url.pathname === '/readyz') {
      if (draining) return sendJson(res, 503, { status: 'draining' });
      try {
        await db.ping();
        return sendJson(res, 200, { status: 'ready', agency: definition.agency, backend: db.backend });
      } catch {
        return sendJson(res, 503, { status: 'database unavailable', agency: definition.agency });
      }
    }
    if (req.method === 'GET' && url.pathname === '/metrics') {
      return sendText(res, 200, metricsText(definition.agency, graphqlRequests, refusedRequests, db.statementCounts()));
    }
    if (url.pathname !== '/graphql') return sendJson(res, 404, graphqlError('NOT_FOUND', 'no such route'));
    if (req.method !== 'POST') return sendJson(res, 405, graphqlError('METHOD_NOT_ALLOWED', 'use POST'), { allow: 'POST' });

    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === null) return sendJson(res, 413, graphqlError('PAYLOAD_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`));
    const verdict = verifier.verify({ method: 'POST', path: url.pathname, body }, req.headers);
    if (!verdict.ok) {
      refusedRequests++;
      return sendJson(res, verdict.status, graphqlError(verdict.code, verdict.message));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return sendJson(res, 400, graphqlError('BAD_REQUEST', 'the body is not JSON'));
    }
    graphqlRequests++;
    if (config.accessLog) {
      // The agency's own record of who asked, for what, through the gateway.
      const { requestId, sub, agency, purpose } = verdict.caller;
      const operationName = (parsed as { operationName?: unknown }).operationName ?? null;
      console.log(JSON.stringify({ at: new Date().toISOString(), event: 'graphql', agency: definition.agency, requestId, caller: { sub, agency, purpose }, operationName }));
    }
    if (config.artificialDelayMs > 0) await new Promise((r) => setTimeout(r, config.artificialDelayMs));
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: url.search, body: parsed },
      context: async () => ({ caller: verdict.caller, sources: definition.createSources(db) }),
    });
    const out: Record<string, string> = {};
    for (const [name, value] of response.headers) out[name] = value;
    res.writeHead(response.status ?? 200, out);
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
    } else {
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
  };

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, graphqlError('INTERNAL_SERVER_ERROR', 'internal error'));
      else res.destroy();
    });
  });
  await listen(server, config.port, config.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  return {
    url: `http://${config.host}:${port}/graphql`,
    db,
    async stop() {
      draining = true;
      await closeServer(server);
      await apollo.stop();
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
  const shutdown = () => {
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/** Listens on `port` of `host`, rejecting when the port cannot be had. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Stops accepting connections and waits for the requests under way; keep-alive connections are
 * closed as soon as they fall idle, and anything still open after `graceMs` is cut.
 */
export function closeServer(server: Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(idleSweep);
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** The body of `req`, or null when it is longer than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A GraphQL-shaped error body. */
export function graphqlError(code: string, message: string): { errors: { message: string; extensions: { code: string } }[] } {
  return { errors: [{ message, extensions: { code } }] };
}

/** Sends a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  res.end(text);
}

function metricsText(agency: string, requests: number, refused: number, statements: Record<string, number>): string {
  const lines = [
    '# HELP meg_subgraph_graphql_requests_total GraphQL requests accepted (signed by the gateway).',
    '# TYPE meg_subgraph_graphql_requests_total counter',
    `meg_subgraph_graphql_requests_total{agency="${agency}"} ${requests}`,
    '# HELP meg_subgraph_refused_requests_total Requests refused for a missing or bad gateway signature.',
    '# TYPE meg_subgraph_refused_requests_total counter',
    `meg_subgraph_refused_requests_total{agency="${agency}"} ${refused}`,
    '# HELP meg_subgraph_sql_statements_total SQL statements issued by data sources, by table.',
    '# TYPE meg_subgraph_sql_statements_total counter',
    ...Object.entries(statements).map(([table, n]) => `meg_subgraph_sql_statements_total{agency="${agency}",table="${table}"} ${n}`),
  ];
  return `${lines.join('\n')}\n`;
}

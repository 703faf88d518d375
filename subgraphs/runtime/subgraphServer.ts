/**
 * Runs one agency's subgraph: its own database (migrated at start), its Apollo subgraph schema,
 * an HTTP server that answers GraphQL only for requests signed by the gateway
 * ({@link SubgraphExecutor} runs them), and its admin port.
 *
 * Routes: POST /graphql (signed), GET /healthz (the process is up) and GET /readyz (the database
 * answers), the last two for the gateway, which asks each agency's readiness. The admin port
 * (`MEG_<AGENCY>_ADMIN_PORT`, on loopback) serves /metrics (requests by outcome and code, their
 * latency, signature checks, SQL statements and round trips, the process's own; no data), /healthz
 * and /readyz.
 *
 * Each request is a span continuing the gateway's trace (its `traceparent` header, beside the
 * signed ones), with the signature check, the execution and every SQL round trip as its children,
 * and its log lines carry the gateway's request id and the trace id.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import type DataLoader from 'dataloader';
import { connect } from '@nats-io/transport-node';
import { GraphQLError, type GraphQLFormattedError, type GraphQLResolveInfo, type GraphQLScalarType } from 'graphql';

import { projectRoot } from '../../platform/config/projectRoot.js';
import { migrate, openDatabase, type Database, type Statements } from '../../platform/db/database.js';
import { AGENCY_REGISTRY, type Agency } from '../../platform/domain/agencies.js';
import { checkCodeCount } from '../../platform/domain/codeLists.js';
import { publicationQueryOf } from '../../platform/domain/publication.js';
import { PublicityRules, loadListMoveRules, type ListMoveRule, type ListMoveStep } from '../../platform/domain/publicity.js';
import type { Clock } from '../../platform/time/clock.js';
import { recordViewOf, type RecordView } from '../../platform/domain/recordView.js';
import { AmountScalar, DateScalar, USCCScalar } from '../../platform/domain/scalars.js';
import { closeServer, graphqlError, listen, readBody, sendJson, sendTooLarge, stopOnSignals } from '../../platform/http/httpServer.js';
import { startAdminServer, type AdminServer, type Readiness } from '../../platform/observability/adminServer.js';
import { configureLogger, logger, requestLogger, type Logger } from '../../platform/observability/logger.js';
import { FAST_SECONDS_BUCKETS, histogram, readOnScrape, type Outcome } from '../../platform/observability/metrics.js';
import { contextFromHeaders, SpanKind, startTracing, traceIdFromHeaders, withSpan, type Span } from '../../platform/observability/tracing.js';
import { CursorSealer, cursorKey } from '../../platform/trust/cursor.js';
import { type CallerContext, requestSigningKey, SIGNATURE_HEADER, SignatureVerifier } from '../../platform/trust/gatewaySignature.js';
import { readPrivateKey, readPublicKey } from '../../platform/trust/keys.js';
import { loadSubgraphConfig, type SubgraphConfig } from './config.js';
import { SubgraphExecutor } from './graphqlExecutor.js';
import { jointMeasureResolvers, jointMeasuresLoader, type JointMeasureRow } from './jointMeasures.js';
import { OutboxRelay, type OutboxRow } from './outbox.js';
import { MAX_CASES, PublicationRegister, type AgencyPublicationReport, type PublishedDecisions } from './publication.js';
import { Scheduler, type ScheduledStep } from './scheduler.js';
import { viewDay } from './recordView.js';
import { JointResponder, ResponseRules } from './responder.js';
import { subgraphTypeDefs } from './subgraphSchema.js';
import { CreditWrites } from './writes.js';

/** What resolvers of every subgraph receive as context. */
export interface SubgraphContext<Sources> {
  /** Who the gateway is asking for (from the signed context). */
  readonly caller: CallerContext;
  /** The agency's data sources for this request (their batches live for one request). */
  readonly sources: Sources;
  /** The agency's write path (writes.ts): what its mutations record through. */
  readonly writes: CreditWrites;
  /** The joint measures the agency took (jointMeasures.ts), batched for this request. */
  readonly measures: DataLoader<string, JointMeasureRow[]>;
  /** Which of the agency's entries the caller sees (the gateway's policy decided: platform/domain/recordView.ts). */
  readonly recordView: RecordView;
  /** Today in Beijing, on the process's clock, for the whole request. */
  readonly today: string;
  /**
   * The day the record is shown as of: today, or the day of the joint review the request serves
   * (the gateway's signed `recordDay`), for callers who see the entries in force.
   */
  readonly recordDay: string;
  /** How long each kind of entry stays public (policies/meg/credit/data.json). */
  readonly publicity: PublicityRules;
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
  readonly [typeName: string]: { readonly [field: string]: FieldResolver<C> | { readonly resolve: FieldResolver<C> } | ReferenceResolver<C> | undefined } | GraphQLScalarType | undefined;
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
  /** The agency's decisions that must be published within 7 working days (publication.ts), if it makes any. */
  readonly publication?: readonly PublishedDecisions[];
  /** The agency's own steps that fall due with time (its list moves), run by its scheduler beside the publication step. */
  readonly schedule?: (runtime: ScheduleRuntime) => readonly ScheduledStep[];
}

/** What an agency's scheduled steps are given. */
export interface ScheduleRuntime {
  readonly db: Database;
  readonly writes: CreditWrites;
  readonly clock: Clock;
  /** The list moves' rules (policies/meg/credit/data.json). */
  readonly moves: Readonly<Record<ListMoveStep, ListMoveRule>>;
  /** The publicity periods (policies/meg/credit/data.json). */
  readonly publicity: PublicityRules;
}

/** A running subgraph. */
export interface RunningSubgraph {
  readonly url: string;
  /** The admin port's base URL (/metrics, /healthz, /readyz). */
  readonly adminUrl: string;
  readonly db: Database;
  /** Stops taking requests, finishes those under way, closes the database, then the admin port. */
  stop(): Promise<void>;
}

/** Query.enterprisesByCode, the same in every subgraph: references for the codes, no database read. */
function enterprisesByCode(_: unknown, { uscc }: { uscc: string[] }): EnterpriseReference[] {
  checkCodeCount(uscc);
  return uscc.map((code) => ({ uscc: code }));
}

/**
 * What a caller learns of a failure inside the agency (its database down, a bug): that the
 * agency could not answer, not the driver's message. The whole error goes to the request's log.
 */
export function internalErrorHidden(agency: string, formatted: GraphQLFormattedError, error: unknown, log: Logger = logger()): GraphQLFormattedError {
  if (formatted.extensions?.['code'] !== 'INTERNAL_SERVER_ERROR') return formatted;
  log.error({ event: 'resolver failed', agency, error: String((error as { originalError?: unknown })?.originalError ?? error), path: formatted.path }, 'the agency could not read its data');
  return {
    message: `the ${agency} subgraph could not read its data`,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'AGENCY_DATA_UNAVAILABLE' },
  };
}

/** What readiness says of the agency's credit events: starting, published, delayed (since when, how many waiting), or not published at all. */
export function eventsReadiness(relay: OutboxRelay | null): Record<string, unknown> {
  if (!relay) return { status: 'not published', reason: 'MEG_NATS_URL is not set' };
  const { started, backlog, delayedSince, published } = relay.status();
  if (!started) return { status: 'starting', waiting: backlog };
  if (delayedSince) return { status: 'delayed', since: delayedSince.toISOString(), waiting: backlog };
  return { status: 'published', waiting: backlog, published };
}

/** What readiness says of the agency's linked response: consuming, delayed (since when), or not running without NATS. */
export function responseReadiness(responder: JointResponder | null): Record<string, unknown> {
  if (!responder) return { status: 'not consuming', reason: 'MEG_NATS_URL is not set' };
  const { started, delayedSince, responded, lastSeq } = responder.status();
  if (!started) return { status: 'starting' };
  if (delayedSince) return { status: 'delayed', since: delayedSince.toISOString(), lastSeq };
  return { status: 'consuming', responded, lastSeq };
}

/** Largest request body a subgraph reads (the gateway's batches of 1,000 codes fit easily). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Starts the subgraph of `definition` with the configuration from the environment. */
export async function runSubgraph<Sources>(definition: SubgraphDefinition<Sources>, config: SubgraphConfig = loadSubgraphConfig(definition.agency)): Promise<RunningSubgraph> {
  const ownKey = readPrivateKey(config.signingKeyFile);
  const signingKey = requestSigningKey(ownKey, readPublicKey(config.gatewayPublicKeyFile), definition.agency);
  // Cursors are sealed with a key of this agency's own: the gateway and the other agencies cannot read them.
  const cursors = new CursorSealer(cursorKey(ownKey, definition.agency), { ttlMs: config.cursorTtlMs });
  const verifier = new SignatureVerifier(signingKey, { maxSkewMs: config.signatureMaxSkewMs });
  // Every statement of a data source looks rows up by code or by prefix through an index.
  const db = await openDatabase(config.database, { poolSize: config.databasePoolSize, genericPlans: true, store: definition.agency });
  await migrate(db, path.join(projectRoot, 'subgraphs', definition.agency, 'migrations'));
  // What every agency's database holds besides its own tables: the credit events' outbox.
  await migrate(db, path.join(projectRoot, 'subgraphs/runtime/migrations'));
  // The agency's credit events go out to NATS as they are recorded (outbox.ts); without a server named, they wait.
  const natsServers = config.natsServers;
  const relay = natsServers ? new OutboxRelay(db, { connect: () => connect({ servers: [...natsServers], name: `meg-${definition.agency}-outbox`, timeout: 2_000 }) }) : null;
  // And it responds to the other agencies' events that concern it (responder.ts), in its own database.
  let responder: JointResponder | null = null;
  if (natsServers) {
    try {
      const rules = await ResponseRules.load(config.responsePolicyFile);
      responder = new JointResponder(definition.agency, db, rules, { connect: () => connect({ servers: [...natsServers], name: `meg-${definition.agency}-response`, timeout: 2_000 }) });
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  relay?.start();
  responder?.start();
  const publicity = PublicityRules.load();
  const handOff = (row: OutboxRow) => relay?.handOff(row);
  const writes = new CreditWrites(definition.agency, db, { committed: handOff, now: () => config.clock.now() });
  // What falls due with time is found by the agency's scheduler (scheduler.ts), on the process's clock.
  const publication = definition.publication ? new PublicationRegister(definition.agency, definition.publication, config.calendar) : null;
  const steps: ScheduledStep[] = [];
  if (publication) steps.push({ name: 'publication overdue', run: () => publication.findOverdue(db, config.clock, handOff) });
  steps.push(...(definition.schedule?.({ db, writes, clock: config.clock, moves: loadListMoveRules(), publicity }) ?? []));
  const scheduler = new Scheduler(definition.agency, steps, config.schedulerIntervalMs);

  const schema = buildSubgraphSchema([
    {
      typeDefs: subgraphTypeDefs(definition.agency),
      resolvers: {
        USCC: USCCScalar,
        Date: DateScalar,
        Amount: AmountScalar,
        ...definition.resolvers,
        // What agency.graphql adds to every agency's schema is resolved here, once.
        JointMeasure: jointMeasureResolvers,
        ...(publication ? publicationResolvers(definition.agency, publication, db) : {}),
        Query: { enterprisesByCode, ...(definition.resolvers['Query'] as object | undefined) },
      } as GraphQLResolverMap<unknown>,
    },
  ]);
  const executor = new SubgraphExecutor<SubgraphContext<Sources>>(schema, (formatted, error, log) => internalErrorHidden(definition.agency, formatted, error, log));

  const served = await serveSignedGraphQL({
    name: definition.agency,
    host: config.host,
    port: config.port,
    executor,
    verifier,
    contextFor: (caller) => {
      const statements = db.forRequest();
      const today = config.clock.today();
      const recordView = recordViewOf(caller.recordViews, definition.agency);
      return {
        caller,
        sources: definition.createSources(statements, cursors),
        writes,
        measures: jointMeasuresLoader(statements),
        recordView,
        today,
        recordDay: viewDay(recordView, today, caller.recordDay),
        publicity,
      };
    },
    readiness: async () => {
      try {
        await db.ping();
        // Delayed events do not make the agency unready: its data still answers, and the events wait in its outbox.
        return { ready: true, detail: { agency: definition.agency, backend: db.backend, events: eventsReadiness(relay), response: responseReadiness(responder) } };
      } catch {
        return { ready: false, detail: { agency: definition.agency, status: 'database unavailable' } };
      }
    },
    artificialDelayMs: config.artificialDelayMs,
    accessLog: config.accessLog,
    requireSignature: config.requireGatewaySignature,
  });
  let admin: AdminServer;
  try {
    admin = await startAdminServer({ host: config.adminHost, port: config.adminPort, readiness: () => served.readiness() });
  } catch (error) {
    await served.stop();
    await relay?.stop();
    await responder?.stop();
    await db.close();
    throw new Error(`the admin port ${config.adminHost}:${config.adminPort} cannot be had (${(error as Error).message})`, { cause: error });
  }
  if (!config.requireGatewaySignature) {
    logger().warn({ agency: definition.agency }, `${definition.agency} subgraph: MEG_REQUIRE_GATEWAY_SIGNATURE=off — unsigned requests are answered. For benchmarks only.`);
  }
  scheduler.start();

  return {
    url: served.url,
    adminUrl: admin.url,
    db,
    async stop() {
      // The admin port stays up through the drain, so that it can be watched (/readyz says draining).
      await served.stop();
      await scheduler.stop();
      await relay?.stop();
      await responder?.stop();
      await db.close();
      await admin.stop();
    },
  };
}

/**
 * Runs a subgraph as the main program of its process: starts its logging and tracing, logs where
 * it listens, and on SIGTERM or SIGINT finishes the requests under way, and exports the spans
 * still buffered, before exiting.
 */
export async function main<Sources>(definition: SubgraphDefinition<Sources>): Promise<void> {
  const service = `meg-${definition.agency}`;
  let running: RunningSubgraph;
  let tracing: ReturnType<typeof startTracing>;
  try {
    const config = loadSubgraphConfig(definition.agency);
    configureLogger({ service, level: config.logLevel });
    tracing = startTracing({ service });
    running = await runSubgraph(definition, config);
  } catch (error) {
    logger().fatal({ agency: definition.agency }, `${definition.agency} subgraph cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  logger().info(
    { agency: definition.agency, url: running.url, admin: running.adminUrl, backend: running.db.backend, tracing: tracing.enabled },
    `${definition.agency} subgraph on ${running.url} (${running.db.backend}), admin on ${running.adminUrl}`,
  );
  stopOnSignals(async () => {
    await running.stop();
    await tracing.shutdown();
  });
}

/** How {@link serveSignedGraphQL} serves a subgraph. */
export interface SignedGraphQLOptions<C extends object> {
  /** The subgraph's name in logs, metrics (the `agency` label) and spans. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly executor: SubgraphExecutor<C>;
  readonly verifier: SignatureVerifier;
  /** The resolvers' context for a request the gateway signed for `caller`. */
  readonly contextFor: (caller: CallerContext) => C;
  /** Whether the subgraph can answer (its database, say), with details for /readyz. */
  readonly readiness: () => Promise<{ ready: boolean; detail: Record<string, unknown> }>;
  readonly artificialDelayMs?: number;
  readonly accessLog?: boolean;
  /** False only for the benchmark: unsigned requests are answered as an anonymous caller. */
  readonly requireSignature?: boolean;
}

/** A subgraph's HTTP front, serving. */
export interface SignedGraphQLServer {
  readonly url: string;
  /** What /readyz says: the subgraph's own readiness, or not ready while it drains. */
  readiness(): Promise<Readiness>;
  /** Stops taking requests (draining from then on) and finishes those under way. */
  stop(): Promise<void>;
}

/** The caller of an unsigned request when signatures are not required (benchmark only). */
const UNSIGNED_CALLER: CallerContext = { requestId: 'unsigned', sub: 'unsigned', agency: null, roles: [], region: null, purpose: null };

/**
 * Serves a subgraph over HTTP: POST /graphql for requests signed by the gateway (anything else is
 * refused before a resolver runs), GET /healthz and /readyz. Its metrics go to the process
 * registry, under the `agency` label of its name.
 */
export async function serveSignedGraphQL<C extends object>(options: SignedGraphQLOptions<C>): Promise<SignedGraphQLServer> {
  const metrics = new SubgraphMetrics(options.name);
  let draining = false;
  const readiness = async (): Promise<Readiness> => (draining ? { ready: false, detail: { status: 'draining' } } : options.readiness());
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://subgraph');
    if (req.method === 'GET' && url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && url.pathname === '/readyz') {
      const { ready, detail } = await readiness();
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...detail });
    }
    if (url.pathname !== '/graphql') return sendJson(res, 404, graphqlError('NOT_FOUND', 'no such route'));
    if (req.method !== 'POST') return sendJson(res, 405, graphqlError('METHOD_NOT_ALLOWED', 'use POST'), { allow: 'POST' });
    return withSpan('POST /graphql', { 'http.request.method': 'POST', 'url.path': '/graphql', 'meg.subgraph': options.name }, (span) => answerGraphQL(options, metrics, req, res, span), {
      kind: SpanKind.SERVER,
      parent: contextFromHeaders(req.headers),
    });
  };

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res).catch(() => {
      metrics.answered('error', 'INTERNAL_SERVER_ERROR');
      if (!res.headersSent) sendJson(res, 500, graphqlError('INTERNAL_SERVER_ERROR', 'internal error'));
      else res.destroy();
    });
  });
  await listen(server, options.port, options.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}/graphql`,
    readiness,
    async stop() {
      draining = true;
      await closeServer(server);
    },
  };
}

/** Answers one POST /graphql: the signature, the body, then the executor. */
async function answerGraphQL<C extends object>(options: SignedGraphQLOptions<C>, metrics: SubgraphMetrics, req: IncomingMessage, res: ServerResponse, span: Span): Promise<void> {
  let abandoned = false;
  res.on('close', () => {
    if (!res.writableFinished) abandoned = true;
  });
  const refused = (status: number, code: string) => {
    metrics.answered('refused', code);
    span.setAttributes({ 'http.response.status_code': status, 'meg.outcome': 'refused', 'error.type': code });
  };
  const refuse = (status: number, code: string, message: string) => {
    refused(status, code);
    sendJson(res, status, graphqlError(code, message));
  };

  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === null) {
    refused(413, 'PAYLOAD_TOO_LARGE');
    return sendTooLarge(res, MAX_BODY_BYTES);
  }
  const stopTimer = metrics.requestSeconds.startTimer();
  res.on('finish', () => stopTimer());
  const verdict = await verifySignature(options, metrics, req, body);
  if (!verdict.ok) {
    metrics.refused++;
    return refuse(verdict.status, verdict.code, verdict.message);
  }
  if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return refuse(415, 'UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return refuse(400, 'BAD_REQUEST', 'the body is not JSON');
  }

  const caller = verdict.caller;
  span.setAttribute('meg.request.id', caller.requestId);
  const log = requestLogger({ requestId: caller.requestId, traceId: traceIdFromHeaders(req.headers) });
  metrics.accepted++;
  metrics.inFlight++;
  try {
    if (options.accessLog) {
      // The agency's own record of who asked, for what, through the gateway.
      const operationName = (parsed as { operationName?: unknown }).operationName ?? null;
      log.info({ event: 'graphql', agency: options.name, caller: { sub: caller.sub, agency: caller.agency, purpose: caller.purpose }, operationName }, 'graphql request');
    }
    if (options.artificialDelayMs) await new Promise((r) => setTimeout(r, options.artificialDelayMs));
    if (abandoned) {
      // The gateway gave up on this request (its caller cancelled or its deadline passed): no work for nobody.
      metrics.abandoned++;
      span.setAttribute('meg.outcome', 'abandoned');
      return;
    }
    const response = await options.executor.run(parsed, () => options.contextFor(caller), log);
    metrics.answered(response.outcome, response.code);
    span.setAttributes({ 'http.response.status_code': response.status, 'meg.outcome': response.outcome });
    if (response.code !== 'NONE') span.setAttribute('error.type', response.code);
    res.writeHead(response.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(response.body) });
    res.end(response.body);
  } finally {
    metrics.inFlight--;
  }
}

/** The gateway's signature on a request, checked and timed (or, for the benchmark only, an unsigned request let through). */
function verifySignature<C extends object>(options: SignedGraphQLOptions<C>, metrics: SubgraphMetrics, req: IncomingMessage, body: Buffer): Promise<ReturnType<SignatureVerifier['verify']>> {
  if (options.requireSignature === false && req.headers[SIGNATURE_HEADER] === undefined) return Promise.resolve({ ok: true, caller: UNSIGNED_CALLER });
  return withSpan('authenticate', {}, (span) => {
    const stopTimer = metrics.signatureSeconds.startTimer();
    const verdict = options.verifier.verify({ method: 'POST', path: '/graphql', body }, req.headers);
    stopTimer();
    if (!verdict.ok) span.setAttribute('error.type', verdict.code);
    return verdict;
  });
}

/**
 * One subgraph's series on the process registry, each under the subgraph's `agency` label. Counts
 * and levels are plain numbers read when scraped, and the histograms' series are kept.
 */
class SubgraphMetrics {
  accepted = 0;
  refused = 0;
  abandoned = 0;
  inFlight = 0;
  readonly requestSeconds;
  readonly signatureSeconds;
  private readonly responses = new Map<string, { readonly outcome: Outcome; readonly code: string; count: number }>();

  constructor(agency: string) {
    const labels = { agency };
    const plain = (kind: 'counter' | 'gauge', name: string, help: string, read: () => number) => readOnScrape(kind, { name, help, labelNames: ['agency'] }, () => [[labels, read()]]);
    plain('counter', 'meg_subgraph_graphql_requests_total', 'GraphQL requests accepted (signed by the gateway).', () => this.accepted);
    plain('counter', 'meg_subgraph_refused_requests_total', 'Requests refused for a missing or bad gateway signature.', () => this.refused);
    plain('counter', 'meg_subgraph_abandoned_requests_total', 'Requests the gateway gave up on before they were executed.', () => this.abandoned);
    plain('gauge', 'meg_subgraph_requests_in_flight', 'GraphQL requests accepted whose handling has not ended (answered, or found abandoned).', () => this.inFlight);
    readOnScrape(
      'counter',
      { name: 'meg_subgraph_responses_total', help: 'GraphQL requests answered, by outcome and first error code (NONE without one).', labelNames: ['agency', 'outcome', 'code'] },
      () => [...this.responses.values()].map(({ outcome, code, count }) => [{ agency, outcome, code }, count] as const),
    );
    this.requestSeconds = histogram({
      name: 'meg_subgraph_request_seconds',
      help: 'Time spent answering GraphQL requests (from the signature check to the last byte).',
      labelNames: ['agency'],
    }).series(labels);
    this.signatureSeconds = histogram({
      name: 'meg_subgraph_signature_check_seconds',
      help: 'Time spent checking gateway signatures (header, HMAC, nonce, caller context).',
      labelNames: ['agency'],
      buckets: FAST_SECONDS_BUCKETS,
    }).series(labels);
  }

  /** A request was answered so. */
  answered(outcome: Outcome, code: string): void {
    const key = `${outcome} ${code}`;
    const seen = this.responses.get(key);
    if (seen) seen.count++;
    else this.responses.set(key, { outcome, code, count: 1 });
  }
}

/**
 * The agency's part of the audit subgraph's `PublicationCompliance` (its field is the agency's
 * profile key, `market`, `tax`, `customs`): its report for the period the report's id names.
 */
function publicationResolvers(agency: Agency, register: PublicationRegister, db: Statements): Record<string, unknown> {
  const { profileKey } = AGENCY_REGISTRY[agency];
  return {
    PublicationCompliance: {
      __resolveReference: (reference: { id: unknown }) => ({ id: reference.id }),
      [profileKey]: (report: { id: unknown }) => register.report(db, publicationQueryOf(report.id)),
    },
    AgencyPublicationCompliance: {
      cases: (report: AgencyPublicationReport, { first }: { first?: number | null }) => {
        const n = first ?? 20;
        if (!Number.isInteger(n) || n < 1 || n > MAX_CASES) throw new GraphQLError(`cases(first:) is from 1 to ${MAX_CASES}, not ${n}`, { extensions: { code: 'BAD_USER_INPUT' } });
        return report.cases.slice(0, n);
      },
    },
  };
}

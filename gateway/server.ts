/**
 * The gateway: one enterprise graph over the four agency subgraphs, served from the supergraph
 * composed at build time. `startGateway` only wires the parts together: the request's steps are
 * in pipeline/ (graphqlPipeline.ts reads top to bottom), the routes in routes.ts, the joint
 * review's gRPC door in review/grpcServer.ts, and every access-log record is built by one
 * AuditRecorder (audit/auditRecorder.ts).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { AGENCIES } from '../platform/domain/agencies.js';
import { purposeValues } from '../platform/domain/commonSchema.js';
import { requestSigningKey } from '../platform/trust/gatewaySignature.js';
import { readEd25519Key, readMaskHashKey, readPrivateKey, readPublicKey } from '../platform/trust/keys.js';
import { CursorSealer, cursorKey } from '../platform/trust/cursor.js';
import { closeServer, graphqlError, listen, sendJson } from '../platform/http/httpServer.js';
import { AuditLog } from './audit/auditLog.js';
import { readAnchors } from './audit/anchors.js';
import { AuditRecorder } from './audit/auditRecorder.js';
import { auditSubgraph } from './audit/auditSubgraph.js';
import { createAuthenticator } from './auth/authenticate.js';
import { readTokenVerificationKey } from './auth/tokens.js';
import type { GraphQLSchema } from 'graphql';
import { AccessPolicy, type Principal } from './policy/accessPolicy.js';
import { PolicyEnforcingGateway } from './policy/enforcingGateway.js';
import { createMasker } from './policy/masking.js';
import { loadGatewayConfig, SUBGRAPHS, type GatewayConfig } from './config.js';
import { startReviewGrpcServer } from './review/grpcServer.js';
import { CreditEvents } from './events/creditEvents.js';
import { eventsSubgraph } from './events/eventsSubgraph.js';
import { ReviewPolicy } from './review/reviewPolicy.js';
import { ReviewService } from './review/reviewService.js';
import { reviewSubgraph } from './review/reviewSubgraph.js';
import { formatGatewayError } from './errors.js';
import { createApolloGateway, withoutApolloReporting } from './apolloGateway.js';
import { DocumentChecker } from './documentCheck.js';
import { operationLimitsPlugin } from './limitsPlugin.js';
import { createReadiness } from './readiness.js';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './rateLimit.js';
import { installScalars } from './scalars.js';
import { SignedSubgraphSource } from './subgraphFetcher.js';
import { gatewayRoutes } from './routes.js';
import { admission, takeRate } from './pipeline/admit.js';
import { documentShape } from './pipeline/checkDocument.js';
import { execution, requestScopes } from './pipeline/execute.js';
import { graphqlPipeline } from './pipeline/graphqlPipeline.js';
import { admissionQueue } from './pipeline/admissionQueue.js';
import { internalOperations } from './pipeline/internalOperation.js';
import { operationFactsPlugin } from './pipeline/operationFacts.js';
import { useClientGone, useDeadline, useServerTiming, type GatewayPlugin } from './pipeline/plugins.js';
import { readGraphQLRequest } from './pipeline/readRequest.js';
import { recording } from './pipeline/record.js';
import type { RequestScope } from './pipeline/requestScope.js';
import { useMetrics, useRequestLog, useTracing } from './pipeline/observability.js';
import { startAdminServer } from '../platform/observability/adminServer.js';
import { logger } from '../platform/observability/logger.js';
import { BREAKER_STATES, rateLimitRefusals, readOnScrape } from '../platform/observability/metrics.js';
import { PublicityRules } from '../platform/domain/publicity.js';

/** A running gateway. */
export interface RunningGateway {
  readonly url: string;
  /** Where the JointReviewService listens (host:port). */
  readonly grpcAddress: string;
  /** Its admin port's base URL (/metrics, /healthz, /readyz). */
  readonly adminUrl: string;
  /** The revision (SHA-256) of the access policy in force. */
  readonly policyRevision: string;
  /** Stops taking requests, finishes those under way and closes subgraph connections. */
  stop(): Promise<void>;
}

/** Starts the gateway. */
export async function startGateway(config: GatewayConfig = loadGatewayConfig()): Promise<RunningGateway> {
  // Every signing key is agreed at start: a missing or wrong key stops the gateway here.
  const ownKey = readPrivateKey(config.signingKeyFile);
  const agencyKeys: Record<string, KeyObject> = Object.fromEntries(AGENCIES.map((agency) => [agency, readPublicKey(config.agencyPublicKeyFiles[agency])]));
  // Fail closed: without a policy that loads and evaluates, the gateway does not start.
  const policy = await AccessPolicy.load(config.policyFile, config.catalogueFile);
  const authenticate = createAuthenticator({
    verificationKey: await readTokenVerificationKey(config.tokenPublicKeyFile),
    issuer: config.tokenIssuer,
    audience: config.tokenAudience,
    purposes: purposeValues(),
  });
  const masker = createMasker(readMaskHashKey(config.maskHashKeyFile));
  const documents = new DocumentChecker(config.limits);
  const reviewService = new ReviewService(await ReviewPolicy.load(config.policyFile), policy.revision, config.clock);
  // The access log's chain head is anchored outside its store, signed, so a cut-off tail is found.
  const anchorKey = readEd25519Key(config.auditAnchorKeyFile, 'private', 'audit anchor');
  const auditLog = await AuditLog.open(config.auditDatabase, config.auditChainId, {
    anchors: { dir: config.auditAnchorDir, key: anchorKey, intervalMs: config.auditAnchorIntervalMs },
  });
  const recorder = new AuditRecorder(auditLog, policy.revision, (refusal, error) => logger().error({ requestId: refusal.requestId, event: 'refusal not recorded', error: error.message }));

  // Rate limits per principal: token holders by subject, the public by address.
  let limiter: RateLimiter = new MemoryRateLimiter();
  if (config.rateLimit.redisUrl) {
    const shared = new RedisRateLimiter(config.rateLimit.redisUrl);
    if (!(await shared.connected())) logger().warn('rate limits: Redis is not reachable yet; limiting locally until it is');
    limiter = shared;
  }

  // Apollo Server is made below; the review's fact queries and the pipeline reach it through this,
  // once requests arrive, which is after it has started.
  const started = (): ApolloServer<RequestScope> => apollo;
  const recordViews = (principal: Principal, purpose: string | null) => policy.recordViews(principal, purpose);
  const runAs = internalOperations(started, recordViews);

  let supergraphSdl: string;
  try {
    supergraphSdl = readFileSync(config.supergraphFile, 'utf8');
  } catch {
    throw new Error(`cannot read the supergraph at ${config.supergraphFile}; run \`make build\` to compose it`);
  }
  for (const name of gatewaySubgraphNames(supergraphSdl)) {
    if (!(SUBGRAPHS as readonly string[]).includes(name)) throw new Error(`the supergraph names an unknown subgraph "${name}"`);
  }
  // The credit events: watched over gRPC and read as history over GraphQL, under each caller's policy.
  let apiSchema: GraphQLSchema | null = null;
  const grpcRefusals = rateLimitRefusals();
  const grpcRateLimit = async (principal: Principal) => {
    const rate = await takeRate(limiter, config.rateLimit, principal, undefined);
    if (!rate.allowed) grpcRefusals.inc({ channel: 'grpc', bucket: 'principal' });
    return rate;
  };
  const creditEvents = new CreditEvents({
    natsServers: config.natsServers,
    authenticate,
    rateLimit: grpcRateLimit,
    refusalLimit: (peer) => limiter.take(`refused:${peer}`, config.rateLimit.refused),
    policy,
    mask: masker,
    schema: () => apiSchema,
    recorder,
    clock: config.clock,
    publicity: PublicityRules.load(),
  });
  // The review, audit and events subgraphs run in this process, with the request's scope as their context.
  const localSources = {
    review: reviewSubgraph({ service: reviewService, runAs, timeoutMs: config.reviewTimeoutMs }),
    audit: auditSubgraph({
      policy,
      auditLog,
      cursors: new CursorSealer(cursorKey(ownKey, 'audit')),
      anchors: () => readAnchors(config.auditAnchorDir, createPublicKey(anchorKey)),
      clock: config.clock,
    }),
    events: eventsSubgraph(creditEvents),
  };
  const agencySources: SignedSubgraphSource[] = [];
  const apolloGateway = createApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => {
      if (name === 'review' || name === 'audit' || name === 'events') return localSources[name];
      const peer = agencyKeys[name];
      if (!peer) throw new Error(`no public signing key for the ${name} subgraph`);
      const source = new SignedSubgraphSource({
        name,
        url: config.subgraphUrls[name as keyof typeof config.subgraphUrls],
        signingKey: requestSigningKey(ownKey, peer, name),
        timeoutMs: config.subgraphTimeoutMs,
        connections: config.subgraphConnections,
        breaker: config.breaker,
        retryRatio: config.retryRatio,
      });
      agencySources.push(source);
      return source;
    },
  });
  // Registered before the server starts, so the API schema validates codes before anyone uses it.
  apolloGateway.onSchemaLoadOrUpdate(({ apiSchema: loaded }) => {
    installScalars(loaded);
    apiSchema = loaded;
  });

  const enforcing = new PolicyEnforcingGateway(apolloGateway, policy, masker);
  const apollo = new ApolloServer<RequestScope>({
    gateway: enforcing,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // "Did you mean …?" would tell a caller the names of fields it may not know of.
    hideSchemaDetailsFromClientErrors: true,
    allowBatchedHttpRequests: false,
    // No automatic persisted queries: a request carries the document that runs, and the access
    // log records that document's hash. (A hash alone is refused: PERSISTED_QUERY_NOT_SUPPORTED.)
    persistedQueries: false,
    // The gateway's own stop drains, closes the access log and anchors its chain; Apollo Server's
    // handler would stop Apollo alone and re-raise the signal, killing the process before that.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: config.limits.maxTokens },
    // Allowed here, then refused per caller by the limits plugin: agency officers only.
    introspection: true,
    formatError: formatGatewayError,
    plugins: [ApolloServerPluginLandingPageDisabled(), ...withoutApolloReporting(), operationLimitsPlugin(config.limits, policy.catalogue.size), operationFactsPlugin()],
  });
  await apollo.start();

  let draining = false;
  const readiness = createReadiness({
    policyRevision: policy.revision,
    probeAudit: () => auditLog.probe(),
    subgraphUrls: config.subgraphUrls,
    draining: () => draining,
  });
  const plugins: GatewayPlugin[] = [
    useTracing(),
    useClientGone(),
    useDeadline({ timeoutMs: config.requestTimeoutMs }),
    useMetrics(),
    useRequestLog(),
    ...(config.serverTiming ? [useServerTiming()] : []),
  ];
  const graphql = graphqlPipeline(
    {
      queue: admissionQueue(config.maxConcurrentRequests),
      read: (exchange) => readGraphQLRequest(exchange, config.maxBodyBytes),
      admit: admission({ authenticate, limiter, limits: config.rateLimit, recorder }),
      document: documentShape(documents, recorder),
      scope: requestScopes(recordViews),
      execute: execution(started),
      record: recording(recorder, (requestId, error) => logger().error({ requestId, event: 'request not answered: not recorded', error: error.message })),
    },
    plugins,
  );
  const handle = gatewayRoutes({ readiness, graphql });
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 120_000 }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, graphqlError('INTERNAL_SERVER_ERROR', 'internal error'));
      else res.destroy();
    });
  });
  await listen(server, config.port, config.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const grpcServer = await startReviewGrpcServer({
    host: config.host,
    port: config.grpcPort,
    service: reviewService,
    authenticate,
    rateLimit: grpcRateLimit,
    refusalLimit: (peer) => limiter.take(`refused:${peer}`, config.rateLimit.refused),
    events: creditEvents,
    decide: (principal, purpose, coordinate) => policy.decide(principal, purpose, [coordinate]).get(coordinate)!,
    runAs,
    serverTiming: config.serverTiming,
    deadlineMarginMs: config.reviewDeadlineMarginMs,
    recorder,
  });

  // The admin port: metrics, and the same health and readiness, apart from the public port.
  readOnScrape('counter', { name: 'meg_policy_cache_lookups_total', help: 'Policy decisions looked up in the cache, by result (hit, miss).', labelNames: ['result'] }, () => [
    [{ result: 'hit' }, enforcing.cache.hits],
    [{ result: 'miss' }, enforcing.cache.misses],
  ]);
  readOnScrape('gauge', { name: 'meg_circuit_breaker_state', help: 'Circuit breaker per subgraph: 0 closed, 1 half-open, 2 open.', labelNames: ['subgraph'] }, () =>
    agencySources.map((source) => [{ subgraph: source.name }, BREAKER_STATES[source.breaker.state === 'half-open' ? 'halfOpen' : source.breaker.state]] as const),
  );
  const admin = await startAdminServer({
    host: config.adminHost,
    port: config.adminPort,
    readiness: async () => {
      const report = await readiness();
      return { ready: report.status === 'ready', detail: { ...report } };
    },
  });

  return {
    url: `http://${config.host}:${port}/graphql`,
    adminUrl: admin.url,
    grpcAddress: `${config.host}:${grpcServer.port}`,
    policyRevision: policy.revision,
    async stop() {
      // Draining is said first (/readyz 503, gRPC health NOT_SERVING) while requests are still
      // served, so that a load balancer stops sending before the listeners close.
      draining = true;
      grpcServer.drain();
      await new Promise((r) => setTimeout(r, config.drainDelayMs));
      await Promise.all([closeServer(server), grpcServer.stop()]);
      await creditEvents.stop();
      await apollo.stop();
      await Promise.all(agencySources.map((source) => source.close()));
      await auditLog.close();
      await limiter.close();
      await admin.stop();
    },
  };
}

function gatewaySubgraphNames(supergraphSdl: string): string[] {
  return [...supergraphSdl.matchAll(/@join__graph\(name: "([^"]+)"/g)].map((m) => m[1]!);
}

/**
 * The gateway: one enterprise graph over the four agency subgraphs, served from the supergraph
 * composed at build time. Routes: POST/GET /graphql (GraphQL; a browser gets the explorer),
 * /explorer/* (its assets), /healthz (the process is up), /readyz (every subgraph answers).
 */
import cluster from 'node:cluster';
import { createHash, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { AGENCIES } from '../platform/domain/agencies.js';
import { purposeValues } from '../platform/domain/commonSchema.js';
import { requestSigningKey, SignatureVerifier, type CallerContext } from '../platform/trust/gatewaySignature.js';
import { readEd25519Key, readMaskHashKey, readPrivateKey, readPublicKey } from '../platform/trust/keys.js';
import { CursorSealer, cursorKey } from '../platform/trust/cursor.js';
import { AuditLog, type AuditEntry, type AuditOutcome, type Channel, type RecordedDecision } from './audit/auditLog.js';
import { readAnchors } from './audit/anchors.js';
import { AuditScope } from './audit/auditScope.js';
import { startAuditSubgraph } from './audit/auditSubgraph.js';
import { canonicalJson } from './audit/canonicalJson.js';
import { createAuthenticator } from './auth/authenticate.js';
import { readTokenVerificationKey } from './auth/tokens.js';
import { AccessPolicy, type FieldDecision, type Principal } from './policy/accessPolicy.js';
import { PolicyEnforcingGateway } from './policy/enforcingGateway.js';
import { createMasker } from './policy/masking.js';
import { closeServer, graphqlError, listen, readBody, sendJson, sendTooLarge } from '../platform/http/httpServer.js';
import { loadGatewayConfig, SUBGRAPHS, type GatewayConfig, type SubgraphName } from './config.js';
import { startReviewGrpcServer } from './review/grpcServer.js';
import { ReviewPolicy } from './review/reviewPolicy.js';
import { ReviewService, type RunOperation } from './review/reviewService.js';
import { startReviewSubgraph } from './review/reviewSubgraph.js';
import { CONSOLE_HEADERS, consoleFile } from './consolePage.js';
import { formatGatewayError } from './errors.js';
import { createApolloGateway, withoutApolloReporting } from './apolloGateway.js';
import { DocumentChecker } from './documentCheck.js';
import type { GatewayContext } from './gatewayContext.js';
import { operationLimitsPlugin } from './limitsPlugin.js';
import { EXPLORER_HEADERS, EXPLORER_HTML, explorerAsset } from './explorer.js';
import { createReadiness } from './readiness.js';
import { MemoryRateLimiter, RedisRateLimiter, type RateDecision, type RateLimiter } from './rateLimit.js';
import { installScalars } from './scalars.js';
import { SignedSubgraphSource, SubgraphWait } from './subgraphFetcher.js';

/** A running gateway. */
export interface RunningGateway {
  readonly url: string;
  /** Where the JointReviewService listens (host:port). */
  readonly grpcAddress: string;
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
  /** The key the gateway signs `subgraph`'s requests with; its own subgraphs (review, audit) use its own pair. */
  const signingKeyFor = (subgraph: string): Buffer => {
    const peer = agencyKeys[subgraph] ?? (subgraph === 'review' || subgraph === 'audit' ? createPublicKey(ownKey) : undefined);
    if (!peer) throw new Error(`no public signing key for the ${subgraph} subgraph`);
    return requestSigningKey(ownKey, peer, subgraph);
  };
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
  const reviewService = new ReviewService(await ReviewPolicy.load(config.policyFile), policy.revision);
  // The access log's chain head is anchored outside its store, signed, so a cut-off tail is found.
  const anchorKey = readEd25519Key(config.auditAnchorKeyFile, 'private', 'audit anchor');
  const auditLog = await AuditLog.open(config.auditDatabase, config.auditChainId, {
    anchors: { dir: config.auditAnchorDir, key: anchorKey, intervalMs: config.auditAnchorIntervalMs },
  });
  const auditAnchors = () => readAnchors(config.auditAnchorDir, createPublicKey(anchorKey));
  /** The audit scopes of GraphQL requests under way, so a review they start records into them. */
  const inFlight = new Map<string, AuditScope>();
  const baseEntry = (requestId: string, channel: Channel, principal: Principal | null, purpose: string | null) => ({
    at: new Date().toISOString(),
    requestId,
    channel,
    principal: principal
      ? { sub: principal.sub, agency: principal.agency, roles: [...principal.roles], region: principal.region }
      : { sub: null, agency: null, roles: [], region: null },
    purpose,
    operationName: null,
    operationHash: null,
    enterprises: [] as string[],
    decisions: [] as RecordedDecision[],
    policyRevision: policy.revision,
  });
  /** Appends a record, the caller's words in it (operation name, detail) cut to a bounded length. */
  const record = (entry: AuditEntry) =>
    auditLog.append({ ...entry, operationName: bounded(entry.operationName, MAX_RECORDED_NAME), ...(entry.detail ? { detail: bounded(entry.detail, MAX_RECORDED_DETAIL)! } : {}) });
  /** Records a refusal; a refusal is sent whether or not it could be recorded. */
  const recordOrNull = async (entry: AuditEntry) => {
    try {
      await record(entry);
    } catch (error) {
      console.error(`refusal of ${entry.requestId} not recorded: ${(error as Error).message}`);
    }
  };

  // Rate limits per principal: token holders by subject, the public by address.
  let limiter: RateLimiter = new MemoryRateLimiter();
  if (config.rateLimit.redisUrl) {
    const shared = new RedisRateLimiter(config.rateLimit.redisUrl);
    if (!(await shared.connected())) console.error('rate limits: Redis is not reachable yet; limiting locally until it is');
    limiter = shared;
  }
  const rateLimit = (principal: Principal, address: string | undefined): Promise<RateDecision> =>
    principal.public
      ? limiter.take(`public:${address ?? 'unknown'}`, config.rateLimit.public)
      : limiter.take(`sub:${principal.agency ?? ''}:${principal.sub}`, config.rateLimit.principal);

  // Reviews gather their facts through this gateway's own pipeline, as the reviewing caller.
  let apollo: ApolloServer<GatewayContext> | undefined;
  const runAs =
    (principal: Principal, purpose: string | null, audit?: AuditScope, wait?: SubgraphWait): RunOperation =>
    async (query, variables, signal) => {
      if (!apollo) throw new Error('the gateway is not started');
      // A review's fact queries belong to the review's request: their decisions go into its record.
      let decisions: ReadonlyMap<string, FieldDecision> = new Map();
      const contextValue: GatewayContext = {
        caller: callerContext(randomUUID(), principal, purpose),
        principal,
        purpose,
        signal,
        audit: audit ?? new AuditScope(),
        internal: true,
        onDecisions: (decided) => void (decisions = decided),
        ...(wait ? { wait } : {}),
      };
      const response = await apollo.executeOperation({ query, variables }, { contextValue });
      if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
      return { ...response.body.singleResult, decisions };
    };
  // A cluster worker serves its own in-process subgraphs, on ports of its own: a review's fact
  // queries must come back to the worker whose request they belong to.
  const worker = cluster.isWorker;
  const auditSubgraph = await startAuditSubgraph({
    host: config.host,
    port: worker ? 0 : config.auditPort,
    exclusive: worker,
    verifier: new SignatureVerifier(signingKeyFor('audit')),
    policy,
    auditLog,
    cursors: new CursorSealer(cursorKey(ownKey, 'audit')),
    anchors: auditAnchors,
  });
  const reviewSubgraph = await startReviewSubgraph({
    host: config.host,
    port: worker ? 0 : config.reviewPort,
    exclusive: worker,
    verifier: new SignatureVerifier(signingKeyFor('review')),
    service: reviewService,
    runAs: (caller) => runAs(principalOf(caller), caller.purpose, inFlight.get(caller.requestId)),
    timeoutMs: config.reviewTimeoutMs,
  });
  const subgraphUrls: Record<SubgraphName, string> = worker ? { ...config.subgraphUrls, review: reviewSubgraph.url, audit: auditSubgraph.url } : config.subgraphUrls;
  let supergraphSdl: string;
  try {
    supergraphSdl = readFileSync(config.supergraphFile, 'utf8');
  } catch {
    throw new Error(`cannot read the supergraph at ${config.supergraphFile}; run \`make build\` to compose it`);
  }

  const sources: SignedSubgraphSource[] = [];
  const apolloGateway = createApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const source = new SignedSubgraphSource({
        name,
        url: subgraphUrls[name as SubgraphName] ?? url ?? '',
        signingKey: signingKeyFor(name),
        timeoutMs: config.subgraphTimeoutMs,
        connections: config.subgraphConnections,
        breaker: config.breaker,
        retryRatio: config.retryRatio,
      });
      sources.push(source);
      return source;
    },
  });
  // Registered before the server starts, so the API schema validates codes before anyone uses it.
  apolloGateway.onSchemaLoadOrUpdate(({ apiSchema }) => installScalars(apiSchema));
  const gateway = new PolicyEnforcingGateway(apolloGateway, policy, masker);
  for (const name of gatewaySubgraphNames(supergraphSdl)) {
    if (!(SUBGRAPHS as readonly string[]).includes(name)) throw new Error(`the supergraph names an unknown subgraph "${name}"`);
  }

  apollo = new ApolloServer<GatewayContext>({
    gateway,
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
    plugins: [ApolloServerPluginLandingPageDisabled(), ...withoutApolloReporting(), operationLimitsPlugin(config.limits, policy.catalogue.size)],
  });
  await apollo.start();

  let draining = false;
  const readiness = createReadiness({
    policyRevision: policy.revision,
    probeAudit: () => auditLog.probe(),
    subgraphUrls: Object.fromEntries(AGENCIES.map((agency) => [agency, subgraphUrls[agency]])),
    draining: () => draining,
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const received = performance.now();
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (req.method === 'GET' && url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && url.pathname === '/readyz') {
      const report = await readiness();
      return sendJson(res, report.status === 'ready' ? 200 : 503, report);
    }
    if (req.method === 'GET' && url.pathname.startsWith('/explorer/')) {
      const asset = explorerAsset(url.pathname.slice('/explorer/'.length));
      if (!asset) return sendJson(res, 404, graphqlError('NOT_FOUND', 'no such file'));
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'public, max-age=3600', ...EXPLORER_HEADERS });
      return void res.end(asset.body);
    }
    if (req.method === 'GET' && (url.pathname === '/console' || url.pathname.startsWith('/console/'))) {
      const file = consoleFile(url.pathname.replace(/^\/console\/?/, ''));
      if (!file) return sendJson(res, 404, graphqlError('NOT_FOUND', 'no such file'));
      res.writeHead(200, { 'content-type': file.type, ...CONSOLE_HEADERS });
      return void res.end(file.body);
    }
    if (url.pathname !== '/graphql') return sendJson(res, 404, graphqlError('NOT_FOUND', 'no such route; GraphQL is at /graphql'));
    if (req.method === 'GET' && !url.searchParams.has('query') && (req.headers.accept ?? '').includes('text/html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...EXPLORER_HEADERS });
      return void res.end(EXPLORER_HTML);
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      return sendJson(res, 405, graphqlError('METHOD_NOT_ALLOWED', 'use GET or POST'), { allow: 'GET, POST' });
    }

    const raw = await readBody(req, config.maxBodyBytes);
    if (raw === null) return sendTooLarge(res, config.maxBodyBytes);
    let body: unknown;
    for (const param of ['variables', 'extensions']) {
      const value = url.searchParams.get(param);
      if (value && jsonNestingExceeds(Buffer.from(value), MAX_JSON_NESTING)) {
        return sendJson(res, 400, graphqlError('BAD_REQUEST', `the ${param} parameter nests JSON deeper than ${MAX_JSON_NESTING} levels`));
      }
    }
    if (req.method === 'POST') {
      // Deep nesting in variables would exhaust the stack of whatever walks them later.
      if (jsonNestingExceeds(raw, MAX_JSON_NESTING)) return sendJson(res, 400, graphqlError('BAD_REQUEST', `the request body nests JSON deeper than ${MAX_JSON_NESTING} levels`));
      try {
        body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        return sendJson(res, 400, graphqlError('BAD_REQUEST', 'the request body is not valid JSON'));
      }
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const requestId = randomUUID();
    const operation = operationOf(req.method, url, body);
    const tooMany = (rate: RateDecision, who: string) =>
      sendJson(res, 429, graphqlError('RATE_LIMITED', `too many requests from ${who}; try again in ${rate.retryAfterSeconds} s`), {
        'x-request-id': requestId,
        'retry-after': String(rate.retryAfterSeconds),
      });
    const auth = await authenticate(req.headers);
    if (!auth.ok) {
      // Each refusal writes a record: refusals are limited per address, so they cannot become an
      // unmetered write path, and what they record is bounded (no enterprises: nothing was read).
      const address = req.socket.remoteAddress ?? 'unknown';
      const rate = await limiter.take(`refused:${address}`, config.rateLimit.refused);
      if (!rate.allowed) return tooMany(rate, 'this address');
      const extra: Record<string, string> = { 'x-request-id': requestId };
      if (auth.status === 401) extra['www-authenticate'] = `Bearer error="invalid_token", error_description="${auth.message.replace(/"/g, "'")}"`;
      // A refusal is recorded too: who is unknown (the token was not accepted), so where from.
      await recordOrNull({
        ...baseEntry(requestId, 'graphql', null, null),
        operationName: operation.operationName,
        operationHash: operation.operationHash,
        outcome: 'refused',
        detail: `${auth.code}: ${auth.message}`,
        address,
      });
      return sendJson(res, auth.status, graphqlError(auth.code, auth.message), extra);
    }
    const rate = await rateLimit(auth.principal, req.socket.remoteAddress);
    if (!rate.allowed) return tooMany(rate, auth.principal.public ? 'this address' : auth.principal.sub);
    // The document's shape is checked before GraphQL validation, whose cost it bounds.
    const document = operation.query === null ? null : documents.check(operation.query);
    if (document?.refusal) {
      const code = String(document.refusal.extensions['code']);
      await recordOrNull({
        ...baseEntry(requestId, 'graphql', auth.principal, auth.purpose),
        operationName: operation.operationName ?? document.operationName,
        operationHash: operation.operationHash,
        outcome: 'refused',
        detail: `${code}: ${document.refusal.message}`,
      });
      return sendJson(res, 400, graphqlError(code, document.refusal.message), { 'x-request-id': requestId });
    }
    // A client that goes away, or a request out of time, cancels the subgraph fetches made for it.
    const abandoned = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abandoned.abort();
    });
    const deadline = setTimeout(
      () => abandoned.abort(new DOMException(`the request took over ${config.requestTimeoutMs} ms`, 'TimeoutError')),
      config.requestTimeoutMs,
    );
    const audit = new AuditScope();
    const wait = new SubgraphWait();
    const context: GatewayContext = {
      caller: callerContext(requestId, auth.principal, auth.purpose),
      principal: auth.principal,
      purpose: auth.purpose,
      signal: abandoned.signal,
      audit,
      wait,
    };
    inFlight.set(requestId, audit);
    let response: Awaited<ReturnType<NonNullable<typeof apollo>['executeHTTPGraphQLRequest']>>;
    let text: string;
    try {
      response = await apollo!.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
        context: async () => context,
      });
      if (response.body.kind === 'complete') {
        text = response.body.string;
      } else {
        text = '';
        for await (const chunk of response.body.asyncIterator) text += chunk;
      }
    } finally {
      clearTimeout(deadline);
      inFlight.delete(requestId);
    }
    const executed = performance.now();
    // Durable before released: without its record, the answer is not given.
    try {
      await record({
        ...baseEntry(requestId, 'graphql', auth.principal, auth.purpose),
        operationName: audit.executed ? audit.executed.operationName : (operation.operationName ?? document?.operationName ?? null),
        operationHash: operation.operationHash,
        enterprises: audit.enterprises(),
        decisions: audit.decisions(),
        outcome: audit.executed ? (!audit.executed.hasData ? 'error' : audit.executed.errors > 0 ? 'partial' : 'ok') : outcomeOf(response.status ?? 200, text),
      });
    } catch (error) {
      console.error(`request ${requestId} not answered: ${(error as Error).message}`);
      return sendJson(res, 503, graphqlError('AUDIT_UNAVAILABLE', 'the access could not be recorded, so it is not answered; try again later'), {
        'x-request-id': requestId,
        'retry-after': '5',
      });
    }
    const out: Record<string, string> = { 'x-request-id': requestId };
    for (const [name, value] of response.headers) out[name] = value;
    if (config.serverTiming) {
      const now = performance.now();
      out['server-timing'] = `${wait.serverTiming()}, audit;dur=${(now - executed).toFixed(2)}, gateway;dur=${(now - received).toFixed(2)}`;
    }
    res.writeHead(response.status ?? 200, out);
    res.end(text);
  };

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
    rateLimit: (principal) => rateLimit(principal, undefined),
    refusalLimit: (peer) => limiter.take(`refused:${peer}`, config.rateLimit.refused),
    decide: (principal, purpose, coordinate) => policy.decide(principal, purpose, [coordinate]).get(coordinate)!,
    runAs,
    serverTiming: config.serverTiming,
    deadlineMarginMs: config.reviewDeadlineMarginMs,
    record: async ({ requestId, principal, purpose, request, audit, outcome, detail, address }) => {
      const entry: AuditEntry = {
        ...baseEntry(requestId, 'grpc', principal, purpose),
        operationName: request.method,
        operationHash: createHash('sha256').update(canonicalJson(request.message)).digest('hex'),
        enterprises: audit.enterprises(),
        decisions: audit.decisions(),
        outcome,
        ...(detail ? { detail } : {}),
        ...(address ? { address } : {}),
      };
      if (outcome === 'refused') await recordOrNull(entry);
      else await record(entry);
    },
  });

  return {
    url: `http://${config.host}:${port}/graphql`,
    grpcAddress: `${config.host}:${grpcServer.port}`,
    policyRevision: policy.revision,
    async stop() {
      // Draining is said first (/readyz 503, gRPC health NOT_SERVING) while requests are still
      // served, so that a load balancer stops sending before the listeners close.
      draining = true;
      grpcServer.drain();
      await new Promise((r) => setTimeout(r, config.drainDelayMs));
      await Promise.all([closeServer(server), grpcServer.stop()]);
      await apollo!.stop();
      await Promise.all(sources.map((source) => source.close()));
      await reviewSubgraph.stop();
      await auditSubgraph.stop();
      await auditLog.close();
      await limiter.close();
    },
  };
}

/** The deepest JSON nesting a request body may have (GraphQL variables never need more). */
const MAX_JSON_NESTING = 64;

/** Whether JSON text nests arrays and objects deeper than `max` (strings are skipped). */
export function jsonNestingExceeds(raw: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Longest detail kept in a record (a detail may quote what the caller sent). */
const MAX_RECORDED_DETAIL = 500;

/** Longest operation name kept in a record: the name is the caller's, and a record stays small. */
const MAX_RECORDED_NAME = 200;

/** `text` cut to `max` characters (marked with an ellipsis when cut). */
function bounded(text: string | null, max: number): string | null {
  return text !== null && text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * The operation of a GraphQL request as it arrived: its text, the name the caller gave,
 * and the SHA-256 of the text, which names in the access log the very document that ran (persisted
 * queries are off, so a request always carries its text). Costs time linear in the request.
 */
function operationOf(method: string | undefined, url: URL, body: unknown): { query: string | null; operationName: string | null; operationHash: string | null } {
  const request = (method === 'GET'
    ? { query: url.searchParams.get('query'), operationName: url.searchParams.get('operationName') }
    : body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as { query?: unknown; operationName?: unknown };
  const query = typeof request.query === 'string' ? request.query : null;
  const name = typeof request.operationName === 'string' ? request.operationName : null;
  return {
    query,
    operationName: name,
    operationHash: query ? createHash('sha256').update(query).digest('hex') : null,
  };
}

/**
 * How a GraphQL request that ran no agency's operation ended, for the audit: refused when the
 * gateway's own checks turned it away (validation, limits, a persisted query it does not keep: an
 * answer without data), error when the gateway failed (5xx), else ok or partial.
 */
function outcomeOf(status: number, text: string): AuditOutcome {
  if (status >= 500) return 'error';
  let parsed: { data?: unknown; errors?: unknown[] };
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'error';
  }
  if (status >= 400 || parsed.data === undefined || parsed.data === null) return 'refused';
  return parsed.errors && parsed.errors.length > 0 ? 'partial' : 'ok';
}

/** The principal of a signed caller context (the gateway authenticated it before signing). */
function principalOf(caller: CallerContext): Principal {
  return {
    sub: caller.sub,
    agency: caller.agency,
    roles: caller.roles,
    region: caller.region,
    purposes: caller.purpose ? [caller.purpose] : [],
    public: caller.agency === null,
  };
}

/** The context forwarded (signed) to subgraphs: who asks and for what, rebuilt from the verified token. */
export function callerContext(requestId: string, principal: Principal, purpose: string | null): CallerContext {
  return { requestId, sub: principal.sub, agency: principal.agency, roles: principal.roles, region: principal.region, purpose };
}

function gatewaySubgraphNames(supergraphSdl: string): string[] {
  return [...supergraphSdl.matchAll(/@join__graph\(name: "([^"]+)"/g)].map((m) => m[1]!);
}

/**
 * The gateway: one enterprise graph over the four agency subgraphs, served from the supergraph
 * composed at build time. Routes: POST/GET /graphql (GraphQL; a browser gets the explorer),
 * /explorer/* (its assets), /healthz (the process is up), /readyz (every subgraph answers).
 */
import { createPublicKey, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { purposeValues } from '../subgraphs/shared/agencies.js';
import { SignatureVerifier, type CallerContext } from '../subgraphs/shared/gatewaySignature.js';
import { readMaskHashKey, readPrivateKey } from '../subgraphs/shared/keys.js';
import { createAuthenticator } from './auth/authenticate.js';
import { readTokenVerificationKey } from './auth/tokens.js';
import { AccessPolicy, type Principal } from './policy/accessPolicy.js';
import { PolicyEnforcingGateway, type PolicyContext } from './policy/enforcingGateway.js';
import { createMasker } from './policy/masking.js';
import { closeServer, graphqlError, listen, readBody, sendJson } from '../subgraphs/shared/subgraphServer.js';
import { loadGatewayConfig, SUBGRAPHS, type GatewayConfig, type SubgraphName } from './config.js';
import { startReviewGrpcServer } from './review/grpcServer.js';
import { ReviewPolicy } from './review/reviewPolicy.js';
import { ReviewService, type RunOperation } from './review/reviewService.js';
import { startReviewSubgraph } from './review/reviewSubgraph.js';
import { formatGatewayError } from './errors.js';
import { EXPLORER_HEADERS, EXPLORER_HTML, explorerAsset } from './explorer.js';
import { checkSubgraphs } from './readiness.js';
import { installScalars } from './scalars.js';
import { SignedSubgraphSource, type ForwardingContext } from './subgraphFetcher.js';

/** The context of one GraphQL request at the gateway. */
export interface GatewayContext extends ForwardingContext, PolicyContext, Record<string, unknown> {}

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
  const signingKey = readPrivateKey(config.signingKeyFile);
  // Fail closed: without a policy that loads and evaluates, the gateway does not start.
  const policy = await AccessPolicy.load(config.policyFile, config.catalogueFile);
  const authenticate = createAuthenticator({
    verificationKey: await readTokenVerificationKey(config.tokenPublicKeyFile),
    issuer: config.tokenIssuer,
    audience: config.tokenAudience,
    purposes: purposeValues(),
  });
  const masker = createMasker(readMaskHashKey(config.maskHashKeyFile));
  const reviewService = new ReviewService(await ReviewPolicy.load(config.policyFile), policy.revision);

  // Reviews gather their facts through this gateway's own pipeline, as the reviewing caller.
  let apollo: ApolloServer<GatewayContext> | undefined;
  const runAs =
    (principal: Principal, purpose: string | null): RunOperation =>
    async (query, variables, signal) => {
      if (!apollo) throw new Error('the gateway is not started');
      const contextValue: GatewayContext = { caller: callerContext(randomUUID(), principal, purpose), principal, purpose, signal };
      const response = await apollo.executeOperation({ query, variables }, { contextValue });
      if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
      return response.body.singleResult;
    };
  const reviewSubgraph = await startReviewSubgraph({
    host: config.host,
    port: config.reviewPort,
    verifier: new SignatureVerifier(createPublicKey(signingKey)),
    service: reviewService,
    runAs: (caller) => runAs(principalOf(caller), caller.purpose),
    timeoutMs: config.reviewTimeoutMs,
  });
  let supergraphSdl: string;
  try {
    supergraphSdl = readFileSync(config.supergraphFile, 'utf8');
  } catch {
    throw new Error(`cannot read the supergraph at ${config.supergraphFile}; run \`make build\` to compose it`);
  }

  const apolloGateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) =>
      new SignedSubgraphSource({
        name,
        url: config.subgraphUrls[name as SubgraphName] ?? url ?? '',
        signingKey,
        timeoutMs: config.subgraphTimeoutMs,
        connections: config.subgraphConnections,
      }),
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
    introspection: true,
    formatError: formatGatewayError,
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();

  let draining = false;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (req.method === 'GET' && url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && url.pathname === '/readyz') {
      const subgraphs = await checkSubgraphs(config.subgraphUrls);
      const ready = !draining && Object.values(subgraphs).every((s) => s.ready);
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : draining ? 'draining' : 'not ready', subgraphs });
    }
    if (req.method === 'GET' && url.pathname.startsWith('/explorer/')) {
      const asset = explorerAsset(url.pathname.slice('/explorer/'.length));
      if (!asset) return sendJson(res, 404, graphqlError('NOT_FOUND', 'no such file'));
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'public, max-age=3600', ...EXPLORER_HEADERS });
      return void res.end(asset.body);
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
    if (raw === null) return sendJson(res, 413, graphqlError('PAYLOAD_TOO_LARGE', `request body over ${config.maxBodyBytes} bytes`));
    let body: unknown;
    if (req.method === 'POST') {
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
    const auth = await authenticate(req.headers);
    if (!auth.ok) {
      const extra: Record<string, string> = { 'x-request-id': requestId };
      if (auth.status === 401) extra['www-authenticate'] = `Bearer error="invalid_token", error_description="${auth.message.replace(/"/g, "'")}"`;
      return sendJson(res, auth.status, graphqlError(auth.code, auth.message), extra);
    }
    // A client that goes away cancels the subgraph fetches made for it.
    const abandoned = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abandoned.abort();
    });
    const context: GatewayContext = {
      caller: callerContext(requestId, auth.principal, auth.purpose),
      principal: auth.principal,
      purpose: auth.purpose,
      signal: abandoned.signal,
    };
    const response = await apollo!.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
      context: async () => context,
    });
    const out: Record<string, string> = { 'x-request-id': requestId };
    for (const [name, value] of response.headers) out[name] = value;
    res.writeHead(response.status ?? 200, out);
    if (response.body.kind === 'complete') return void res.end(response.body.string);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
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
    runAs,
    defaultTimeoutMs: config.reviewTimeoutMs,
  });

  return {
    url: `http://${config.host}:${port}/graphql`,
    grpcAddress: `${config.host}:${grpcServer.port}`,
    policyRevision: policy.revision,
    async stop() {
      draining = true;
      await Promise.all([closeServer(server), grpcServer.stop()]);
      await apollo!.stop();
      await reviewSubgraph.stop();
    },
  };
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

/** Configuration of the gateway process, read once at start-up. */
import os from 'node:os';
import path from 'node:path';
import { AGENCIES, AGENCY_CODES, DEFAULT_SUBGRAPH_PORTS, type Agency } from '../platform/domain/agencies.js';
import { projectRoot } from '../platform/config/projectRoot.js';
import { dataDirFrom } from '../platform/config/dataLocations.js';
import type { DatabaseLocation } from '../platform/db/database.js';
import { ConfigurationError, intFrom, natsServersFrom, onOffFrom, portFrom, postgresUrlFrom, stringFrom, urlFrom } from '../platform/config/env.js';
import { ANCHOR_KEY_FILE, ANCHOR_PUBLIC_KEY_FILE, MASK_HASH_KEY_FILE, signingKeyFile, signingPublicKeyFile } from '../platform/trust/keys.js';
import { adminHostFrom, GATEWAY_ADMIN_PORT } from '../platform/observability/adminServer.js';
import { logLevelFrom, type LogLevel } from '../platform/observability/logger.js';
import { DEFAULT_LIMITS, type OperationLimits } from './limits.js';
import type { BucketSettings } from './rateLimit.js';
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER, TOKEN_ISSUER_PUBLIC_KEY_FILE } from './auth/tokens.js';
import { clockFrom, type Clock } from '../platform/time/clock.js';

/** The subgraphs of the supergraph: the four agencies, the joint review, the auditors' and the credit events'. */
export const SUBGRAPHS = [...AGENCIES, 'review', 'audit', 'events'] as const;

/** One subgraph of the supergraph. */
export type SubgraphName = (typeof SUBGRAPHS)[number];

/** What the gateway needs to run. */
export interface GatewayConfig {
  readonly host: string;
  /** `MEG_GATEWAY_PORT`, default 4000. */
  readonly port: number;
  /**
   * `MEG_<AGENCY>_URL`, default http://127.0.0.1:400N/graphql: the agencies' subgraphs. The review
   * and audit subgraphs run inside the gateway's process and have no URL.
   */
  readonly subgraphUrls: Readonly<Record<Agency, string>>;
  /** `MEG_GRPC_PORT`: the JointReviewService, default 50051. */
  readonly grpcPort: number;
  /** `MEG_NATS_URL`: the NATS servers the credit events are read from (Watch, creditEvents); unset, they are unavailable. */
  /** `MEG_CLOCK` (tests and demonstrations only): the process's clock starts at this instant; the wall clock when unset. */
  readonly clock: Clock;
  readonly natsServers: readonly string[] | null;
  /** `MEG_ADMIN_HOST` (default 127.0.0.1): where the admin port listens. */
  readonly adminHost: string;
  /**
   * `MEG_GATEWAY_ADMIN_PORT`, default 9400: /metrics, /healthz and /readyz, apart from the public
   * port. A cluster's worker N (0, 1, …) serves its own at this port + 10 + N.
   */
  readonly adminPort: number;
  /** `MEG_LOG_LEVEL` (default info). */
  readonly logLevel: LogLevel;
  /** `MEG_REVIEW_TIMEOUT_MS`: deadline of a GraphQL review (a gRPC call must set its own). */
  readonly reviewTimeoutMs: number;
  /**
   * `MEG_REVIEW_DEADLINE_MARGIN_MS` (default 50): how long before a gRPC review's deadline the
   * agencies still unanswered are given up, leaving that long to record the call and answer.
   */
  readonly reviewDeadlineMarginMs: number;
  /** `MEG_SUPERGRAPH`: the supergraph composed at build time. */
  readonly supergraphFile: string;
  /** `MEG_GATEWAY_SIGNING_KEY`: the gateway's private signing key (X25519, PEM). */
  readonly signingKeyFile: string;
  /**
   * `MEG_<AGENCY>_PUBLIC_KEY`: each agency's public signing key (X25519, PEM), with which the
   * gateway agrees the key it signs that agency's requests with.
   */
  readonly agencyPublicKeyFiles: Readonly<Record<Agency, string>>;
  /** `MEG_SUBGRAPH_TIMEOUT_MS`: how long one subgraph fetch may take. */
  readonly subgraphTimeoutMs: number;
  /** `MEG_REQUEST_TIMEOUT_MS`: how long one GraphQL request may take in all. */
  readonly requestTimeoutMs: number;
  /** `MEG_MAX_CONCURRENT_REQUESTS`: GraphQL requests one worker works on at once; the rest wait their turn. */
  readonly maxConcurrentRequests: number;
  /** `MEG_BREAKER_FAILURES` and `MEG_BREAKER_COOLDOWN_MS`: when to stop asking a failing agency, and for how long. */
  readonly breaker: { readonly failures: number; readonly cooldownMs: number };
  /** `MEG_RETRY_PERCENT`: retries of queries to agencies, as a share of requests (default 10%). */
  readonly retryRatio: number;
  /** `MEG_SUBGRAPH_CONNECTIONS`: keep-alive connections kept per subgraph. */
  readonly subgraphConnections: number;
  /** `MEG_MAX_BODY_BYTES`: the largest request body accepted. */
  readonly maxBodyBytes: number;
  /** `MEG_POLICY`: the compiled access policy (wasm). */
  readonly policyFile: string;
  /** `MEG_CATALOGUE`: the classification catalogue extracted at build time. */
  readonly catalogueFile: string;
  /** `MEG_TOKEN_PUBLIC_KEY`: the token issuer's public key (P-256, PEM). */
  readonly tokenPublicKeyFile: string;
  /** `MEG_TOKEN_ISSUER` and `MEG_TOKEN_AUDIENCE`: what tokens must say of their issuer and audience. */
  readonly tokenIssuer: string;
  readonly tokenAudience: string;
  /** `MEG_MASK_HASH_KEY`: the key of the HASH mask (a file of random bytes). */
  readonly maskHashKeyFile: string;
  /** `DATABASE_URL_AUDIT` for PostgreSQL, else PGlite under `MEG_DATA_DIR/audit`. */
  readonly auditDatabase: DatabaseLocation;
  /** `MEG_AUDIT_CHAIN_ID`: this writer's chain; by default one per process start. */
  readonly auditChainId: string;
  /** `MEG_AUDIT_ANCHOR_DIR` (default `MEG_DATA_DIR/audit-anchors`): where chain heads are anchored, outside the log's store. */
  readonly auditAnchorDir: string;
  /** `MEG_AUDIT_ANCHOR_KEY`: the gateway's Ed25519 key that signs the anchors. */
  readonly auditAnchorKeyFile: string;
  /** `MEG_AUDIT_ANCHOR_INTERVAL_MS` (default 1000): how often a chain's head is anchored when it moved (and always on stop). */
  readonly auditAnchorIntervalMs: number;
  /**
   * `MEG_RATE_LIMIT_PER_SECOND`/`_BURST` for token holders (per subject), `MEG_PUBLIC_RATE_LIMIT_PER_SECOND`/`_BURST`
   * for the public (per address); `MEG_RATE_LIMIT_REDIS_URL` shares the buckets between replicas.
   */
  readonly rateLimit: {
    readonly principal: BucketSettings;
    readonly public: BucketSettings;
    /** `MEG_REFUSAL_RATE_LIMIT_PER_SECOND`/`_BURST`: requests refused at authentication, per address (each writes a record). */
    readonly refused: BucketSettings;
    readonly redisUrl: string | null;
  };
  /**
   * `MEG_SERVER_TIMING` (default off): a `Server-Timing` header on GraphQL responses (and trailer
   * on joint reviews) saying how long the request waited on its subgraphs, for measuring the
   * gateway's own time. Off by default: callers need not learn the agencies' timings.
   */
  readonly serverTiming: boolean;
  /**
   * `MEG_DRAIN_DELAY_MS` (default 1000): on stop, how long the gateway reports itself draining
   * (/readyz 503, gRPC health NOT_SERVING) while still serving, before its listeners close. Set
   * it to the load balancer's readiness interval.
   */
  readonly drainDelayMs: number;
  /** `MEG_GATEWAY_WORKERS`: processes serving the same ports (node:cluster), each with its own audit chain. */
  readonly workers: number;
  /** `MEG_MAX_DEPTH`, `MEG_MAX_ALIASES`, …: what one operation may ask (limits.ts). */
  readonly limits: OperationLimits;
}

/** Reads and validates the gateway configuration. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const keysDir = path.join(dataDirFrom(env), 'keys');
  const subgraphUrls = Object.fromEntries(
    AGENCIES.map((agency) => [agency, httpUrlFrom(env, `MEG_${AGENCY_CODES[agency]}_URL`, `http://127.0.0.1:${DEFAULT_SUBGRAPH_PORTS[agency]}/graphql`)]),
  ) as Record<Agency, string>;
  const workers = intFrom(env, 'MEG_GATEWAY_WORKERS', 1, 1, 64);
  const auditDatabase = auditDatabaseFrom(env);
  if (workers > 1 && !('url' in auditDatabase)) {
    // PGlite is one process's database: workers would each open the same files.
    throw new ConfigurationError('MEG_GATEWAY_WORKERS > 1 needs the access log on PostgreSQL: set DATABASE_URL_AUDIT');
  }
  const adminPort = portFrom(env, 'MEG_GATEWAY_ADMIN_PORT', GATEWAY_ADMIN_PORT);
  const worker = env['MEG_GATEWAY_WORKER'] === undefined ? null : Number(env['MEG_GATEWAY_WORKER']);
  return {
    adminHost: adminHostFrom(env),
    adminPort: adminPort === 0 || worker === null ? adminPort : adminPort + 10 + worker,
    logLevel: logLevelFrom(env),
    grpcPort: portFrom(env, 'MEG_GRPC_PORT', 50051),
    natsServers: natsServersFrom(env),
    clock: clockFrom(env),
    reviewTimeoutMs: intFrom(env, 'MEG_REVIEW_TIMEOUT_MS', 5_000, 10, 600_000),
    reviewDeadlineMarginMs: intFrom(env, 'MEG_REVIEW_DEADLINE_MARGIN_MS', 50, 0, 60_000),
    host: stringFrom(env, 'MEG_HOST', '127.0.0.1'),
    port: portFrom(env, 'MEG_GATEWAY_PORT', 4000),
    subgraphUrls,
    supergraphFile: path.resolve(projectRoot, stringFrom(env, 'MEG_SUPERGRAPH', 'gateway/generated/supergraph.graphql')),
    signingKeyFile: path.resolve(projectRoot, stringFrom(env, 'MEG_GATEWAY_SIGNING_KEY', path.join(keysDir, signingKeyFile('gateway')))),
    agencyPublicKeyFiles: Object.fromEntries(
      AGENCIES.map((agency) => [agency, path.resolve(projectRoot, stringFrom(env, `MEG_${AGENCY_CODES[agency]}_PUBLIC_KEY`, path.join(keysDir, signingPublicKeyFile(agency))))]),
    ) as Record<Agency, string>,
    subgraphTimeoutMs: intFrom(env, 'MEG_SUBGRAPH_TIMEOUT_MS', 10_000, 10, 600_000),
    requestTimeoutMs: intFrom(env, 'MEG_REQUEST_TIMEOUT_MS', 15_000, 10, 600_000),
    maxConcurrentRequests: intFrom(env, 'MEG_MAX_CONCURRENT_REQUESTS', 16, 1, 100_000),
    breaker: { failures: intFrom(env, 'MEG_BREAKER_FAILURES', 5, 1, 1_000), cooldownMs: intFrom(env, 'MEG_BREAKER_COOLDOWN_MS', 5_000, 10, 600_000) },
    retryRatio: intFrom(env, 'MEG_RETRY_PERCENT', 10, 0, 100) / 100,
    subgraphConnections: intFrom(env, 'MEG_SUBGRAPH_CONNECTIONS', 64, 1, 10_000),
    maxBodyBytes: intFrom(env, 'MEG_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    policyFile: path.resolve(projectRoot, stringFrom(env, 'MEG_POLICY', 'gateway/generated/policy.wasm')),
    catalogueFile: path.resolve(projectRoot, stringFrom(env, 'MEG_CATALOGUE', 'gateway/generated/catalogue.json')),
    tokenPublicKeyFile: path.resolve(projectRoot, stringFrom(env, 'MEG_TOKEN_PUBLIC_KEY', path.join(keysDir, TOKEN_ISSUER_PUBLIC_KEY_FILE))),
    tokenIssuer: stringFrom(env, 'MEG_TOKEN_ISSUER', DEFAULT_TOKEN_ISSUER),
    tokenAudience: stringFrom(env, 'MEG_TOKEN_AUDIENCE', DEFAULT_TOKEN_AUDIENCE),
    maskHashKeyFile: path.resolve(projectRoot, stringFrom(env, 'MEG_MASK_HASH_KEY', path.join(keysDir, MASK_HASH_KEY_FILE))),
    auditDatabase,
    // Each cluster worker writes a chain of its own (a chain has one writer at a time).
    auditChainId:
      stringFrom(env, 'MEG_AUDIT_CHAIN_ID', `gw-${os.hostname()}-${process.pid}-${Date.now().toString(36)}`) +
      (env['MEG_GATEWAY_WORKER'] !== undefined && env['MEG_AUDIT_CHAIN_ID'] ? `-w${env['MEG_GATEWAY_WORKER']}` : ''),
    auditAnchorDir: auditAnchorDirFrom(env),
    auditAnchorKeyFile: path.resolve(projectRoot, stringFrom(env, 'MEG_AUDIT_ANCHOR_KEY', path.join(keysDir, ANCHOR_KEY_FILE))),
    auditAnchorIntervalMs: intFrom(env, 'MEG_AUDIT_ANCHOR_INTERVAL_MS', 1_000, 10, 3_600_000),
    workers,
    drainDelayMs: intFrom(env, 'MEG_DRAIN_DELAY_MS', 1_000, 0, 600_000),
    serverTiming: onOffFrom(env, 'MEG_SERVER_TIMING', false),
    rateLimit: {
      principal: { perSecond: intFrom(env, 'MEG_RATE_LIMIT_PER_SECOND', 50, 1, 1_000_000), burst: intFrom(env, 'MEG_RATE_LIMIT_BURST', 100, 1, 1_000_000) },
      public: { perSecond: intFrom(env, 'MEG_PUBLIC_RATE_LIMIT_PER_SECOND', 10, 1, 1_000_000), burst: intFrom(env, 'MEG_PUBLIC_RATE_LIMIT_BURST', 20, 1, 1_000_000) },
      refused: { perSecond: intFrom(env, 'MEG_REFUSAL_RATE_LIMIT_PER_SECOND', 5, 1, 1_000_000), burst: intFrom(env, 'MEG_REFUSAL_RATE_LIMIT_BURST', 20, 1, 1_000_000) },
      redisUrl: urlFrom(env, 'MEG_RATE_LIMIT_REDIS_URL', ['redis:', 'rediss:'], 'a redis:// or rediss:// URL') ?? null,
    },
    limits: {
      maxDepth: intFrom(env, 'MEG_MAX_DEPTH', DEFAULT_LIMITS.maxDepth, 1, 100),
      maxAliases: intFrom(env, 'MEG_MAX_ALIASES', DEFAULT_LIMITS.maxAliases, 0, 10_000),
      maxDirectives: intFrom(env, 'MEG_MAX_DIRECTIVES', DEFAULT_LIMITS.maxDirectives, 0, 10_000),
      maxTokens: intFrom(env, 'MEG_MAX_TOKENS', DEFAULT_LIMITS.maxTokens, 100, 1_000_000),
      maxSelections: intFrom(env, 'MEG_MAX_SELECTIONS', DEFAULT_LIMITS.maxSelections, 10, 100_000),
      maxRepeatedField: intFrom(env, 'MEG_MAX_REPEATED_FIELD', DEFAULT_LIMITS.maxRepeatedField, 1, 10_000),
      maxCoordinates: intFrom(env, 'MEG_MAX_COORDINATES', DEFAULT_LIMITS.maxCoordinates, 1, 1_000_000),
      maxCost: intFrom(env, 'MEG_MAX_COST', DEFAULT_LIMITS.maxCost, 1, 100_000_000),
      maxPageSize: intFrom(env, 'MEG_MAX_PAGE_SIZE', DEFAULT_LIMITS.maxPageSize, 1, 10_000),
      maxCodes: intFrom(env, 'MEG_MAX_CODES', DEFAULT_LIMITS.maxCodes, 1, 100_000),
      defaultListSize: DEFAULT_LIMITS.defaultListSize,
    },
  };
}

/** Where chain anchors are kept under this environment. */
export function auditAnchorDirFrom(env: NodeJS.ProcessEnv): string {
  return path.resolve(projectRoot, stringFrom(env, 'MEG_AUDIT_ANCHOR_DIR', path.join(dataDirFrom(env), 'audit-anchors')));
}

/** The public key that verifies the anchors under this environment (`MEG_AUDIT_ANCHOR_PUBLIC_KEY`). */
export function auditAnchorPublicKeyFileFrom(env: NodeJS.ProcessEnv): string {
  return path.resolve(projectRoot, stringFrom(env, 'MEG_AUDIT_ANCHOR_PUBLIC_KEY', path.join(dataDirFrom(env), 'keys', ANCHOR_PUBLIC_KEY_FILE)));
}

/** Where the access log lives under this environment. */
export function auditDatabaseFrom(env: NodeJS.ProcessEnv): DatabaseLocation {
  const url = postgresUrlFrom(env, 'DATABASE_URL_AUDIT');
  return url ? { url } : { dataDir: path.join(dataDirFrom(env), 'audit') };
}

function httpUrlFrom(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  return urlFrom(env, name, ['http:', 'https:'], 'an http:// or https:// URL') ?? fallback;
}

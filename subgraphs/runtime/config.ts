/** Configuration of one agency's subgraph process, read once at start-up. */
import path from 'node:path';
import { AGENCY_CODES, DEFAULT_SUBGRAPH_ADMIN_PORTS, DEFAULT_SUBGRAPH_PORTS, type Agency } from '../../platform/domain/agencies.js';
import { projectRoot } from '../../platform/config/projectRoot.js';
import type { DatabaseLocation } from '../../platform/db/database.js';
import { dataDirFrom, databaseLocationFrom } from '../../platform/config/dataLocations.js';
import { ConfigurationError, intFrom, natsServersFrom, onOffFrom, portFrom, stringFrom } from '../../platform/config/env.js';
import { adminHostFrom } from '../../platform/observability/adminServer.js';
import { logLevelFrom, type LogLevel } from '../../platform/observability/logger.js';
import { signingKeyFile, signingPublicKeyFile } from '../../platform/trust/keys.js';
import { clockFrom, type Clock } from '../../platform/time/clock.js';
import { CalendarOverrideError, calendarFrom, type WorkingDayCalendar } from '../../platform/time/workingDays.js';

/** What a subgraph process needs to run. */
export interface SubgraphConfig {
  readonly agency: Agency;
  readonly host: string;
  /** `MEG_<AGENCY>_PORT`, default 4001–4004. */
  readonly port: number;
  /** `MEG_ADMIN_HOST` (default 127.0.0.1): where the admin port listens. */
  readonly adminHost: string;
  /** `MEG_<AGENCY>_ADMIN_PORT`, default 9401–9404: /metrics, /healthz and /readyz, apart from the gateway's port. */
  readonly adminPort: number;
  /** `MEG_LOG_LEVEL` (default info). */
  readonly logLevel: LogLevel;
  /** `DATABASE_URL_<AGENCY>` for PostgreSQL, else PGlite under `MEG_DATA_DIR/<agency>`. */
  readonly database: DatabaseLocation;
  readonly databasePoolSize: number;
  /** `MEG_<AGENCY>_SIGNING_KEY`: this agency's private signing key (X25519, PEM). */
  readonly signingKeyFile: string;
  /** `MEG_GATEWAY_PUBLIC_KEY`: the gateway's public signing key (X25519, PEM). */
  readonly gatewayPublicKeyFile: string;
  /** `MEG_SIGNATURE_MAX_SKEW_SECONDS`: how old a gateway signature may be. */
  readonly signatureMaxSkewMs: number;
  /**
   * `MEG_ARTIFICIAL_DELAY_MS`, test-only: every GraphQL request waits this long before it is
   * answered, to make a slow agency observable (parallelism, deadlines, graceful shutdown).
   */
  readonly artificialDelayMs: number;
  /** `MEG_ACCESS_LOG` (default on): a log line per request naming the caller and purpose. */
  readonly accessLog: boolean;
  /**
   * `MEG_REQUIRE_GATEWAY_SIGNATURE` (default on). Off only for the benchmark, so that a plain
   * Apollo Gateway and Hive Gateway can be measured against the same subgraphs: unsigned requests
   * are then answered as an anonymous caller (signed ones are still verified).
   */
  readonly requireGatewaySignature: boolean;
  /** `MEG_CURSOR_TTL_SECONDS` (default 3600): how long a page cursor this subgraph issued stays usable. */
  readonly cursorTtlMs: number;
  /**
   * `MEG_NATS_URL`: the NATS servers (`nats://host:port`, comma-separated for a cluster) the
   * agency's credit events are published to. `make start` starts one and names it; unset, the
   * events wait in the outbox and readiness says they are not published.
   */
  readonly natsServers: readonly string[] | null;
  /**
   * `MEG_RESPONSE_POLICY`: the compiled linked-response rules (policies/meg/response), which the
   * agency evaluates for every credit event that concerns it. Read only when NATS is named.
   */
  readonly responsePolicyFile: string;
  /** `MEG_CLOCK` (tests and demonstrations only): the process's clock starts at this instant; the wall clock when unset. */
  readonly clock: Clock;
  /** The working-day calendar, with the override file `MEG_CALENDAR_OVERRIDES` names (platform/time/workingDays.ts). */
  readonly calendar: WorkingDayCalendar;
  /** `MEG_SCHEDULER_INTERVAL_SECONDS` (default 60; 0 turns it off): how often the agency's scheduler runs its steps. */
  readonly schedulerIntervalMs: number;
}

/** Reads and validates the configuration of `agency`'s subgraph. */
export function loadSubgraphConfig(agency: Agency, env: NodeJS.ProcessEnv = process.env): SubgraphConfig {
  const code = AGENCY_CODES[agency];
  const port = portFrom(env, `MEG_${code}_PORT`, DEFAULT_SUBGRAPH_PORTS[agency]);
  const adminPort = portFrom(env, `MEG_${code}_ADMIN_PORT`, DEFAULT_SUBGRAPH_ADMIN_PORTS[agency]);
  if (adminPort !== 0 && adminPort === port) throw new ConfigurationError(`MEG_${code}_ADMIN_PORT=${adminPort} is the subgraph's public port: the admin port must be another`);
  return {
    agency,
    host: stringFrom(env, 'MEG_HOST', '127.0.0.1'),
    port,
    adminHost: adminHostFrom(env),
    adminPort,
    logLevel: logLevelFrom(env),
    database: databaseLocationFrom(env, agency),
    databasePoolSize: intFrom(env, 'MEG_DATABASE_POOL_SIZE', 10, 1, 200),
    signingKeyFile: path.resolve(projectRoot, stringFrom(env, `MEG_${code}_SIGNING_KEY`, path.join(dataDirFrom(env), 'keys', signingKeyFile(agency)))),
    gatewayPublicKeyFile: path.resolve(projectRoot, stringFrom(env, 'MEG_GATEWAY_PUBLIC_KEY', path.join(dataDirFrom(env), 'keys', signingPublicKeyFile('gateway')))),
    signatureMaxSkewMs: intFrom(env, 'MEG_SIGNATURE_MAX_SKEW_SECONDS', 30, 1, 3600) * 1000,
    accessLog: onOffFrom(env, 'MEG_ACCESS_LOG', true),
    requireGatewaySignature: onOffFrom(env, 'MEG_REQUIRE_GATEWAY_SIGNATURE', true),
    cursorTtlMs: intFrom(env, 'MEG_CURSOR_TTL_SECONDS', 3_600, 1, 30 * 86_400) * 1000,
    natsServers: natsServersFrom(env),
    responsePolicyFile: path.resolve(projectRoot, stringFrom(env, 'MEG_RESPONSE_POLICY', 'subgraphs/runtime/generated/response.wasm')),
    clock: clockFrom(env),
    calendar: calendarOf(env),
    schedulerIntervalMs: intFrom(env, 'MEG_SCHEDULER_INTERVAL_SECONDS', 60, 0, 86_400) * 1000,
    artificialDelayMs: intFrom(env, `MEG_${code}_ARTIFICIAL_DELAY_MS`, intFrom(env, 'MEG_ARTIFICIAL_DELAY_MS', 0, 0, 600_000), 0, 600_000),
  };
}

/** The calendar, a malformed override file being a configuration error that says what is wrong. */
function calendarOf(env: NodeJS.ProcessEnv): WorkingDayCalendar {
  try {
    return calendarFrom(env);
  } catch (error) {
    if (error instanceof CalendarOverrideError) throw new ConfigurationError(error.message);
    throw error;
  }
}

/**
 * Logs: one pino JSON object per line on stdout, at the level `MEG_LOG_LEVEL` names (`info` by
 * default; `fatal`, `error`, `warn`, `debug`, `trace`, or `silent` for tests), each line with the
 * process's name (`service`), the request id of the request it concerns and, while tracing, the
 * trace and span ids of the active span (so a line is found from its trace, and a trace from its
 * line).
 *
 * Personal data is never written: the values under the keys of {@link REDACTED_KEYS} (the
 * personal fields of the agencies' schemas: resident ID numbers, phone numbers, legal
 * representatives, employees; GraphQL variables, which may carry any of them; credentials) are
 * replaced by `[REDACTED]` at any depth up to four objects down. Enterprise codes (USCC) are not
 * personal and are logged as they are.
 *
 * A process names its logger once at start-up ({@link configureLogger}) and code logs through
 * {@link logger}, or through {@link requestLogger} for one request:
 * ```ts
 * configureLogger({ service: 'meg-gateway' });
 * const log = requestLogger({ requestId, traceId: traceIdFromHeaders(req.headers) });
 * log.info({ event: 'graphql', operation: 'EnterpriseProfile' }, 'request answered');
 * ```
 */
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { trace } from '@opentelemetry/api';
import { ConfigurationError, stringFrom } from '../config/env.js';
import { tracingEnabled } from './tracing.js';

export type { Logger };

type Env = Readonly<Record<string, string | undefined>>;

/** The levels `MEG_LOG_LEVEL` may name. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A level of {@link LOG_LEVELS}. */
export type LogLevel = Level | 'silent';

/**
 * Keys whose values are never logged. The personal fields of the agencies' schemas
 * (`LegalRepresentative.idNumber` and `.phone`, the legal representative as a whole, the social
 * insurer's `Employee` name, ID number and dates), the same data under its database column names,
 * GraphQL variables (which carry arguments such as a name searched for) and credentials.
 */
export const REDACTED_KEYS: readonly string[] = [
  'idNumber',
  'id_number',
  'phone',
  'legalRepresentative',
  'legal_representative',
  'legal_rep_name',
  'legal_rep_id_number',
  'legal_rep_phone',
  'employees',
  'employee',
  'variables',
  'authorization',
  'cookie',
  'token',
  'accessToken',
  'access_token',
  'password',
  'x-meg-signature',
  'x-meg-context',
];

/** What replaces a redacted value. */
export const REDACTED = '[REDACTED]';

/** How deep in a logged object a redacted key is found: `idNumber`, `a.idNumber`, … `a.b.c.d.idNumber`. */
const REDACTION_DEPTH = 4;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** The process's name on every line (`meg-gateway`, `meg-market`). */
  readonly service: string;
  /** The level (default: `MEG_LOG_LEVEL` of `env`, else `info`). */
  readonly level?: LogLevel;
  readonly env?: Env;
  /** Where lines go (default stdout, written synchronously so that nothing is lost at exit). */
  readonly destination?: DestinationStream;
}

/** A logger as {@link LoggerOptions} say, independent of the process's one (tests capture its lines). */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? logLevelFrom(options.env ?? process.env),
      base: { service: options.service },
      // The message under `msg`, the time as ISO 8601 (log stores and people both read it).
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactionPaths(), censor: REDACTED },
      mixin: activeSpanIds,
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

let processLogger: Logger | undefined;

/** The process's logger (named `meg` until {@link configureLogger} names it). */
export function logger(): Logger {
  return (processLogger ??= createLogger({ service: 'meg' }));
}

/** Makes the process's logger as `options` say: call once at start-up, before anything logs. */
export function configureLogger(options: LoggerOptions): Logger {
  processLogger = createLogger(options);
  return processLogger;
}

/** The ids a request's lines carry. */
export interface RequestIds {
  readonly requestId: string;
  /** The trace id the caller sent (`traceIdFromHeaders`), for processes that do not trace themselves. */
  readonly traceId?: string | undefined;
}

/**
 * A logger for one request: every line carries its request id, and its trace id, from the active
 * span while tracing (the mixin adds it) or else as the caller sent it.
 */
export function requestLogger(ids: RequestIds, parent: Logger = logger()): Logger {
  return parent.child(tracingEnabled() || ids.traceId === undefined ? { requestId: ids.requestId } : { requestId: ids.requestId, traceId: ids.traceId });
}

/** `MEG_LOG_LEVEL`, checked. */
export function logLevelFrom(env: Env): LogLevel {
  const level = stringFrom(env, 'MEG_LOG_LEVEL', 'info').trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigurationError(`MEG_LOG_LEVEL=${JSON.stringify(env['MEG_LOG_LEVEL'])} must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return level as LogLevel;
}

/** The trace and span ids of the active recorded span, for every line logged within it (pino merges into what this returns). */
function activeSpanIds(): object {
  const span = trace.getActiveSpan();
  if (span === undefined || !span.isRecording()) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

/** Every key of {@link REDACTED_KEYS} at every depth up to {@link REDACTION_DEPTH}. */
function redactionPaths(): string[] {
  const paths: string[] = [];
  for (const key of REDACTED_KEYS) {
    const leaf = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    for (let depth = 0; depth <= REDACTION_DEPTH; depth++) {
      const prefix = '*.'.repeat(depth);
      paths.push(leaf.startsWith('[') ? (depth === 0 ? leaf : `${prefix.slice(0, -1)}${leaf}`) : `${prefix}${leaf}`);
    }
  }
  return paths;
}

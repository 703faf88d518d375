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
 * replaced by `[REDACTED]` wherever they are in a logged object (down to {@link REDACTION_DEPTH}
 * levels of objects and arrays), and at the top of a child logger's bindings (pino formats a
 * child's bindings once, without its formatters: bind ids, not records). Enterprise codes (USCC)
 * are not personal and are logged as they are. What an error's message says is not looked into:
 * log errors by their code where a value could be in the message.
 *
 * Redaction is a walk of the logged object that copies only what it changes (about a microsecond
 * for an access-log line): pino's own path-based `redact` with wildcards clones every line and
 * cost 300 µs a line with these keys.
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

/** How many levels of objects and arrays below a logged object its keys are looked at. */
export const REDACTION_DEPTH = 8;

const REDACTED_KEY_SET = new Set(REDACTED_KEYS);
const BINDING_SERIALIZERS = Object.fromEntries(REDACTED_KEYS.map((key) => [key, () => REDACTED]));

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
      // `time` in milliseconds since the epoch, pino's own: an ISO string cost a few µs a line.
      formatters: { level: (label) => ({ level: label }), log: redacted },
      // Pino applies serializers, not formatters, to a child's bindings.
      serializers: BINDING_SERIALIZERS,
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

/**
 * `value` with the value of every key of {@link REDACTED_KEYS} replaced by {@link REDACTED}, down to
 * {@link REDACTION_DEPTH} levels; `value` itself when nothing is redacted. Only plain objects and
 * arrays are walked (an error, a date or a buffer is shown by its serializer).
 */
export function redactPersonal<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > REDACTION_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = redactPersonal(value[i] as unknown, depth + 1);
      if (item !== value[i]) (copy ??= [...value])[i] = item;
    }
    return (copy ?? value) as T;
  }
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype !== Object.prototype && prototype !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const shown = REDACTED_KEY_SET.has(key) ? REDACTED : redactPersonal(item as unknown, depth + 1);
    if (shown !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = shown;
  }
  return (copy ?? value) as T;
}

function redacted(object: Record<string, unknown>): Record<string, unknown> {
  return redactPersonal(object);
}

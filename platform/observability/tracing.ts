/**
 * Tracing with OpenTelemetry: one trace per request across the gateway and the subgraphs, carried
 * from process to process in the W3C `traceparent` header.
 *
 * A process calls {@link startTracing} once at start-up with its name (`meg-gateway`,
 * `meg-market`, …), and the standard variables decide what becomes of its spans:
 * - `OTEL_TRACES_EXPORTER`: `none` (the default), `console` (each span printed to stdout as it
 *   ends) or `otlp` (OTLP over HTTP, batched); several may be named, comma-separated.
 *   `OTEL_SDK_DISABLED=true` is `none` whatever it says.
 * - `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else
 *   `http://localhost:4318/v1/traces`: where `otlp` sends (read by the exporter itself, as are
 *   `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_BSP_*`).
 * - `OTEL_SERVICE_NAME` replaces the process's own name.
 * - `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` (read by the SDK; default
 *   `parentbased_always_on`, so a subgraph follows the gateway's decision).
 *
 * With `none` nothing is registered: no tracer provider, no context manager, no propagator, and
 * each helper below is one branch before the work it wraps. The product makes no outbound call of
 * its own, so spans leave the process only when an exporter is named.
 *
 * Spans are made explicitly, where the issue asks for them (authenticate, policy, plan, each
 * fetch, each SQL round trip, the audit commit): automatic instrumentation hooks `require`, which
 * ES modules do not go through without a loader. @apollo/gateway makes spans of its own through
 * `@opentelemetry/api` (plan, execute, fetch); they join the same traces once a provider is
 * registered.
 *
 * What a span may carry: names of steps, statements, tables, subgraphs; codes and statuses;
 * counts; request ids. Never a value a caller sent or an agency holds (an enterprise code is not
 * personal, but variables, arguments, SQL parameters and results can be), and never an error's
 * message (a driver's words may quote a value): an error is recorded as its type.
 *
 * The gateway's part, in short:
 * ```ts
 * startTracing({ service: 'meg-gateway' });                       // once, first thing
 * await withSpan('authenticate', {}, () => authenticate(req));      // each step
 * const parent = contextFromHeaders(req.headers);                   // a caller's own trace, if any
 * await withSpan('POST /graphql', { 'http.request.method': 'POST' }, handle, { kind: SpanKind.SERVER, parent });
 * headers = injectTraceHeaders(headers);                            // on each subgraph fetch, inside its span
 * ```
 */
import type { IncomingHttpHeaders } from 'node:http';
import { context, INVALID_SPAN_CONTEXT, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ConfigurationError, stringFrom } from '../config/env.js';

export { SpanKind, type Attributes, type Context, type Span };

type Env = Readonly<Record<string, string | undefined>>;

/** The exporters `OTEL_TRACES_EXPORTER` may name. */
export const TRACE_EXPORTERS = ['none', 'console', 'otlp'] as const;

/** One of {@link TRACE_EXPORTERS}. */
export type TraceExporterName = (typeof TRACE_EXPORTERS)[number];

/** Options of {@link startTracing}. */
export interface TracingOptions {
  /** The process's name in traces (`meg-gateway`, `meg-market`); `OTEL_SERVICE_NAME` replaces it. */
  readonly service: string;
  /** Where the `OTEL_*` variables are read (default `process.env`). */
  readonly env?: Env;
  /**
   * Spans go to these exporters, each through a processor that exports every span as it ends,
   * instead of those the environment names (tests: an in-memory exporter).
   */
  readonly exporters?: readonly SpanExporter[];
}

/** Tracing as started for this process. */
export interface Tracing {
  /** Whether spans are recorded (an exporter is configured). */
  readonly enabled: boolean;
  /** The service name spans carry. */
  readonly service: string;
  /** Exports the spans still buffered and unregisters the provider. */
  shutdown(): Promise<void>;
}

/** The tracer spans are made with, or undefined while tracing is off. */
let tracer: Tracer | undefined;
let started: Tracing | undefined;

/** What an untraced step is handed: a span that records nothing. */
const UNRECORDED: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Starts tracing for this process as the `OTEL_*` variables say, and registers it globally (the
 * tracer provider, an AsyncLocalStorage context manager and the W3C trace-context propagator).
 * Started once: a second call returns the first one's tracing until it is shut down.
 */
export function startTracing(options: TracingOptions): Tracing {
  if (started) return started;
  const env = options.env ?? process.env;
  const service = stringFrom(env, 'OTEL_SERVICE_NAME', options.service);
  const exporters = options.exporters ?? exportersFrom(env);
  if (exporters.length === 0) {
    started = { enabled: false, service, shutdown: async () => void (started = undefined) };
    return started;
  }
  const processors: SpanProcessor[] = exporters.map((exporter) =>
    // OTLP in batches, off the request path; the console and tests as each span ends.
    exporter instanceof OTLPTraceExporter ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter),
  );
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: service })),
    spanProcessors: processors,
  });
  provider.register();
  tracer = provider.getTracer('market-entity-graph');
  started = {
    enabled: true,
    service,
    async shutdown() {
      tracer = undefined;
      started = undefined;
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  return started;
}

/** Whether spans are being recorded in this process. */
export function tracingEnabled(): boolean {
  return tracer !== undefined;
}

/** How {@link withSpan} places its span. */
export interface WithSpanOptions {
  /** SERVER for a request received, CLIENT for one sent, INTERNAL (the default) for a step. */
  readonly kind?: SpanKind;
  /** The span's parent (default: the active span), e.g. {@link contextFromHeaders} of a request. */
  readonly parent?: Context;
  /**
   * Only within a trace: with no parent span the step runs unrecorded. For steps that also run
   * outside requests (a readiness probe's SQL, migrations at start-up), which would otherwise each
   * begin a trace of their own.
   */
  readonly childOnly?: boolean;
}

/**
 * Runs `fn` inside a span named `name` (active for everything `fn` awaits), ended when `fn`
 * settles. A throw marks the span as an error with `error.type` (the error's code or class, never
 * its message) and is rethrown. With tracing off, `fn` runs with a span that records nothing.
 */
export function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => T | Promise<T>, options: WithSpanOptions = {}): Promise<T> {
  // Off, the step runs as it would without a span: no context looked up, no promise added.
  if (tracer === undefined) return untraced(fn);
  const parent = options.parent ?? context.active();
  if (options.childOnly && trace.getSpan(parent) === undefined) return untraced(fn);
  return tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Runs `fn` with a span that records nothing; a throw becomes a rejection, as a traced step's would. */
function untraced<T>(fn: (span: Span) => T | Promise<T>): Promise<T> {
  try {
    // A promise comes back as it is (Promise.resolve of a native promise is that promise).
    return Promise.resolve(fn(UNRECORDED));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Marks `span` as failed by `error`'s code or class: an error's message may quote a value. */
export function markFailed(span: Span, error: unknown): void {
  const type = errorType(error);
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/**
 * The trace context a request carries in its `traceparent` (and `tracestate`) header, as the
 * parent of the span that answers it; the root context when it carries none or tracing is off.
 */
export function contextFromHeaders(headers: IncomingHttpHeaders | Readonly<Record<string, string>>): Context {
  if (tracer === undefined) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers);
}

/**
 * Adds the active span's `traceparent` (and `tracestate`) to the headers of a request about to be
 * sent, so that the process answering it continues the same trace; returns `headers`. Nothing is
 * added while tracing is off or outside any span.
 */
export function injectTraceHeaders<H extends Record<string, string>>(headers: H, from: Context = context.active()): H {
  if (tracer !== undefined) propagation.inject(from, headers);
  return headers;
}

/** The trace id of the active span, or undefined outside any recorded span. */
export function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}

/** A `traceparent` header: version 00, trace id, parent span id, flags. */
const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The trace id of the request's `traceparent` header, or undefined: what the request's log lines
 * carry when this process does not trace, so they can still be found beside the caller's trace.
 */
export function traceIdFromHeaders(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['traceparent'];
  const id = typeof header === 'string' ? TRACEPARENT.exec(header)?.[1] : undefined;
  return id === undefined || id === '00000000000000000000000000000000' ? undefined : id;
}

/** The exporters `OTEL_TRACES_EXPORTER` names (none for `none`, unset, or `OTEL_SDK_DISABLED=true`). */
function exportersFrom(env: Env): SpanExporter[] {
  if (stringFrom(env, 'OTEL_SDK_DISABLED', 'false').trim().toLowerCase() === 'true') return [];
  const names = stringFrom(env, 'OTEL_TRACES_EXPORTER', 'none')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.length > 0);
  for (const name of names) {
    if (!(TRACE_EXPORTERS as readonly string[]).includes(name)) {
      throw new ConfigurationError(`OTEL_TRACES_EXPORTER=${JSON.stringify(env['OTEL_TRACES_EXPORTER'])} names ${JSON.stringify(name)}: expected ${TRACE_EXPORTERS.join(', ')}`);
    }
  }
  if (names.includes('none')) return [];
  return [...new Set(names)].map((name) => (name === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter()));
}

/** What failed, as a span may say it: the error's code (`ECONNREFUSED`, a GraphQL code) or its class. */
function errorType(error: unknown): string {
  const code = (error as { code?: unknown; extensions?: { code?: unknown } } | null)?.extensions?.code ?? (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Za-z0-9_.]{1,64}$/.test(code)) return code;
  return error instanceof Error ? error.constructor.name : typeof error;
}

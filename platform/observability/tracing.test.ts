import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../config/env.js';
import { contextFromHeaders, injectTraceHeaders, SpanKind, startTracing, traceIdFromHeaders, tracingEnabled, withSpan, type Tracing } from './tracing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${CALLER_SPAN_ID}-01`;

let tracing: Tracing | undefined;
afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
});

describe('with exporter none', () => {
  it('registers nothing: spans record nothing and no header is read or written', async () => {
    tracing = startTracing({ service: 'meg-test', env: {} });
    expect(tracing.enabled).toBe(false);
    expect(tracingEnabled()).toBe(false);
    expect(trace.getTracer('any').startSpan('any').isRecording()).toBe(false);
    const parent = contextFromHeaders({ traceparent: TRACEPARENT });
    expect(trace.getSpan(parent)).toBeUndefined();
    const answer = await withSpan(
      'step',
      { 'meg.step': 'x' },
      (span) => {
        expect(span.isRecording()).toBe(false);
        return injectTraceHeaders({});
      },
      { parent },
    );
    expect(answer).toEqual({});
  });

  it('is the default, and OTEL_SDK_DISABLED=true turns any exporter off', () => {
    tracing = startTracing({ service: 'meg-test', env: { OTEL_TRACES_EXPORTER: 'console', OTEL_SDK_DISABLED: 'true' } });
    expect(tracing.enabled).toBe(false);
  });

  it('refuses an exporter it does not know, naming it', () => {
    expect(() => startTracing({ service: 'meg-test', env: { OTEL_TRACES_EXPORTER: 'otlp,zipkin' } })).toThrow(ConfigurationError);
    expect(() => startTracing({ service: 'meg-test', env: { OTEL_TRACES_EXPORTER: 'zipkin' } })).toThrow(/"zipkin": expected none, console, otlp/);
  });

  it('still reads the trace id a caller sent, for the logs', () => {
    expect(traceIdFromHeaders({ traceparent: TRACEPARENT })).toBe(TRACE_ID);
    expect(traceIdFromHeaders({ traceparent: 'garbage' })).toBeUndefined();
    expect(traceIdFromHeaders({ traceparent: `00-${'0'.repeat(32)}-${CALLER_SPAN_ID}-01` })).toBeUndefined();
    expect(traceIdFromHeaders({})).toBeUndefined();
  });
});

describe('with an exporter', () => {
  it('continues the trace of an incoming traceparent and hands it on in outgoing headers', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = startTracing({ service: 'meg-test', exporters: [exporter] });
    expect(tracing.enabled).toBe(true);
    let outgoing: Record<string, string> = {};
    await withSpan(
      'POST /graphql',
      {},
      async () => {
        await withSpan(
          'fetch tax',
          {},
          async () => {
            outgoing = injectTraceHeaders({ 'content-type': 'application/json' });
          },
          { kind: SpanKind.CLIENT },
        );
      },
      { kind: SpanKind.SERVER, parent: contextFromHeaders({ traceparent: TRACEPARENT }) },
    );

    const [fetch, server] = exporter.getFinishedSpans();
    expect(server!.name).toBe('POST /graphql');
    expect(server!.kind).toBe(SpanKind.SERVER);
    expect(server!.spanContext().traceId).toBe(TRACE_ID);
    expect(server!.parentSpanContext?.spanId).toBe(CALLER_SPAN_ID);
    expect(fetch!.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
    // The next process continues from the fetch: same trace, the fetch as its parent.
    expect(outgoing).toEqual({ 'content-type': 'application/json', traceparent: `00-${TRACE_ID}-${fetch!.spanContext().spanId}-01` });
    const next = contextFromHeaders(outgoing);
    expect(trace.getSpanContext(next)).toMatchObject({ traceId: TRACE_ID, spanId: fetch!.spanContext().spanId, isRemote: true });
  });

  it('starts a trace of its own when the request carries none, and names the service', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = startTracing({ service: 'meg-test', env: { OTEL_SERVICE_NAME: 'meg-renamed' }, exporters: [exporter] });
    await withSpan('POST /graphql', {}, () => undefined, { kind: SpanKind.SERVER, parent: contextFromHeaders({}) });
    const [span] = exporter.getFinishedSpans();
    expect(span!.parentSpanContext).toBeUndefined();
    expect(span!.resource.attributes['service.name']).toBe('meg-renamed');
  });

  it('records a failure by its code, not its message, and rethrows it', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = startTracing({ service: 'meg-test', exporters: [exporter] });
    const failure = Object.assign(new Error('invalid input syntax for type date: "110101199001011234"'), { code: '22007' });
    await expect(withSpan('SELECT', {}, async () => Promise.reject(failure))).rejects.toBe(failure);
    const [span] = exporter.getFinishedSpans();
    expect(span!.status).toEqual({ code: 2, message: '22007' });
    expect(span!.attributes).toEqual({ 'error.type': '22007' });
    expect(span!.events).toEqual([]);
    expect(JSON.stringify(span!.attributes)).not.toContain('110101');
  });

  it('records a child-only step only inside a trace', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = startTracing({ service: 'meg-test', exporters: [exporter] });
    await withSpan('SELECT 1', {}, () => undefined, { childOnly: true });
    expect(exporter.getFinishedSpans()).toEqual([]);
    await withSpan('request', {}, () => withSpan('SELECT 1', {}, () => undefined, { childOnly: true }));
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['SELECT 1', 'request']);
  });

  it('leaves nothing registered once shut down, so that it can be started again', async () => {
    tracing = startTracing({ service: 'meg-test', exporters: [new InMemorySpanExporter()] });
    await tracing.shutdown();
    expect(tracingEnabled()).toBe(false);
    expect(trace.getTracer('any').startSpan('any').isRecording()).toBe(false);
    const exporter = new InMemorySpanExporter();
    tracing = startTracing({ service: 'meg-test', exporters: [exporter] });
    await withSpan('again', {}, () => undefined);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['again']);
  });
});

import { Writable } from 'node:stream';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../config/env.js';
import { createLogger, logLevelFrom, REDACTED, redactPersonal, requestLogger } from './logger.js';
import { contextFromHeaders, startTracing, withSpan, type Tracing } from './tracing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

let tracing: Tracing | undefined;
afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
});

describe('the logger', () => {
  it('writes one JSON object per line with the level, the time, the service and the message', () => {
    const { log, lines } = captured();
    log.info({ event: 'started' }, 'market subgraph listening');
    expect(lines()).toEqual([{ level: 'info', time: expect.any(Number), service: 'meg-test', event: 'started', msg: 'market subgraph listening' }]);
  });

  it('redacts personal data and credentials at any depth, and keeps enterprise codes', () => {
    const { log, lines } = captured();
    log.warn(
      {
        uscc: '91350100M000100Y43',
        legalRepresentative: { name: '戴磊', idNumber: '520103199001011493' },
        row: { uscc: '91350100M000100Y43', legal_rep_id_number: '520103199001011493', legal_rep_phone: '18800005181' },
        data: { enterprise: { market: { legalRepresentative: { phone: '18800005181' } } } },
        edges: [{ node: { idNumber: '520103199001011493' } }],
        request: { variables: { name: '戴磊' }, headers: { authorization: 'Bearer eyJ…', 'x-meg-signature': 't=1,n=2,sig=3' } },
      },
      'what a careless call site might log',
    );
    const [line] = lines();
    expect(line).toMatchObject({
      uscc: '91350100M000100Y43',
      legalRepresentative: REDACTED,
      row: { uscc: '91350100M000100Y43', legal_rep_id_number: REDACTED, legal_rep_phone: REDACTED },
      data: { enterprise: { market: { legalRepresentative: REDACTED } } },
      edges: [{ node: { idNumber: REDACTED } }],
      request: { variables: REDACTED, headers: { authorization: REDACTED, 'x-meg-signature': REDACTED } },
    });
    const text = JSON.stringify(line);
    for (const secret of ['520103199001011493', '18800005181', '戴磊', 'eyJ', 'sig=3']) expect(text).not.toContain(secret);
  });

  it('redacts what a child logger is bound to as well', () => {
    const { log, lines } = captured();
    log.child({ uscc: '91350100M000100Y43', phone: '18800005181' }).info('bound');
    expect(lines()[0]).toMatchObject({ uscc: '91350100M000100Y43', phone: REDACTED, msg: 'bound' });
  });

  it('copies nothing when there is nothing to redact, and leaves what the caller logged as it was', () => {
    const clean = { event: 'graphql', caller: { sub: 'tax-officer-1', agency: 'TAX' }, codes: ['91350100M000100Y43'] };
    expect(redactPersonal(clean)).toBe(clean);
    const personal = { row: { idNumber: '520103199001011493' } };
    expect(redactPersonal(personal)).toEqual({ row: { idNumber: REDACTED } });
    expect(personal.row.idNumber).toBe('520103199001011493');
  });

  it('puts the request id on every line of a request, and the trace id its caller sent when not tracing', () => {
    const { log, lines } = captured();
    const scoped = requestLogger({ requestId: 'req-1', traceId: TRACE_ID }, log);
    scoped.info('first');
    scoped.child({ step: 'execute' }).error('second');
    expect(lines().map(({ requestId, traceId, msg }) => ({ requestId, traceId, msg }))).toEqual([
      { requestId: 'req-1', traceId: TRACE_ID, msg: 'first' },
      { requestId: 'req-1', traceId: TRACE_ID, msg: 'second' },
    ]);
  });

  it('takes the trace and span ids from the active span while tracing, once per line', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = startTracing({ service: 'meg-test', exporters: [exporter] });
    const { log, lines, raw } = captured();
    await withSpan(
      'POST /graphql',
      {},
      () => {
        requestLogger({ requestId: 'req-2', traceId: TRACE_ID }, log).info('inside');
      },
      { parent: contextFromHeaders({ traceparent: TRACEPARENT }) },
    );
    log.info('outside');
    const [span] = exporter.getFinishedSpans();
    expect(lines()).toMatchObject([{ requestId: 'req-2', traceId: TRACE_ID, spanId: span!.spanContext().spanId, msg: 'inside' }, { msg: 'outside' }]);
    expect(lines()[1]).not.toHaveProperty('traceId');
    expect(raw()[0]!.match(/"traceId"/g)).toHaveLength(1);
  });

  it('logs at the level MEG_LOG_LEVEL names, and refuses one it does not know', () => {
    expect(logLevelFrom({})).toBe('info');
    expect(logLevelFrom({ MEG_LOG_LEVEL: 'silent' })).toBe('silent');
    expect(() => logLevelFrom({ MEG_LOG_LEVEL: 'verbose' })).toThrow(ConfigurationError);
    const { log, lines } = captured({ MEG_LOG_LEVEL: 'warn' });
    log.info('dropped');
    log.warn('kept');
    expect(lines().map((l) => l['msg'])).toEqual(['kept']);
  });
});

/** A logger whose lines are kept, parsed. */
function captured(env: Record<string, string> = {}) {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const log = createLogger({ service: 'meg-test', env, destination });
  const raw = () => chunks.join('').split('\n').filter(Boolean);
  return { log, raw, lines: () => raw().map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/**
 * Observability as plugins of the pipeline (platform/observability does the work):
 *
 * - useTracing: a server span per request, continuing the caller's W3C `traceparent` if it sent
 *   one, and a span per step (read, authenticate, document, execute, audit commit), each active
 *   while its step runs, so that what the step starts — the policy's span, Apollo Gateway's plan
 *   and fetch spans, each signed fetch to an agency (which sends the trace on in `traceparent`) —
 *   is part of the same trace. Span attributes name steps, codes and statuses, never a value.
 * - useMetrics: requests by channel, outcome and code, latency per request and per step.
 * - useRequestLog: one log line per request that failed (5xx) at warn, every request at debug,
 *   each carrying the request id (and the trace id, when tracing is on).
 */
import { NO_CODE, codeLabel, requestSeconds, requestsTotal, stepSeconds, type HistogramSeries, type Outcome } from '../../platform/observability/metrics.js';
import { requestLogger, logger } from '../../platform/observability/logger.js';
import { contextFromHeaders, SpanKind, tracingEnabled, withSpan } from '../../platform/observability/tracing.js';
import type { Answer } from './exchange.js';
import type { GatewayPlugin, StepName } from './plugins.js';
import type { RequestScope } from './requestScope.js';

/** The span of each step, by the name the issue gives it. */
const STEP_SPANS: Record<StepName, string> = {
  queue: 'wait for a place',
  read: 'read request',
  admit: 'authenticate',
  document: 'document check',
  execute: 'execute',
  record: 'audit commit',
};

/** Traces each request and its steps. */
export function useTracing(): GatewayPlugin {
  return {
    name: 'tracing',
    // Tracing off, a request gets no hooks at all: its steps run unwrapped.
    onRequest: () => (tracingEnabled() ? { wrapStep: (step, run) => withSpan(STEP_SPANS[step], {}, run) } : undefined),
    wrapRequest: (exchange, run) =>
      !tracingEnabled()
        ? run()
        : withSpan(`${exchange.req.method ?? 'GET'} /graphql`, { 'http.request.method': exchange.req.method ?? 'GET', 'meg.request_id': exchange.requestId }, run, {
            kind: SpanKind.SERVER,
            parent: contextFromHeaders(exchange.req.headers),
          }),
  };
}

/** How a request ended, from its answer and what Apollo noted. */
function ending(answer: Answer, scope: RequestScope | null): { outcome: Outcome; code: string } {
  const outcome: Outcome = scope?.facts.outcome ?? (answer.status >= 500 ? 'error' : answer.status >= 400 ? 'refused' : 'ok');
  const code = answer.code ?? scope?.facts.code ?? null;
  return { outcome, code: code === null ? NO_CODE : codeLabel(code) };
}

/** Counts requests by outcome and code, and times them and their steps. */
export function useMetrics(): GatewayPlugin {
  const requests = requestsTotal();
  const latency = requestSeconds();
  const steps = stepSeconds();
  // Series looked up once: a request's path observes into arrays.
  const stepSeries = new Map<StepName, HistogramSeries>((Object.keys(STEP_SPANS) as StepName[]).map((step) => [step, steps.series({ step })]));
  const latencySeries = new Map<Outcome, HistogramSeries>((['ok', 'partial', 'refused', 'error'] as const).map((outcome) => [outcome, latency.series({ channel: 'graphql', outcome })]));
  return {
    name: 'metrics',
    onRequest(exchange) {
      let scope: RequestScope | null = null;
      return {
        onAdmitted: (admitted) => void (scope = admitted),
        onStep: (step) => stepSeries.get(step)!.startTimer(),
        onAnswer(answer) {
          const { outcome, code } = ending(answer, scope);
          requests.inc({ channel: 'graphql', outcome, code });
          latencySeries.get(outcome)!.observe((performance.now() - exchange.received) / 1000);
        },
      };
    },
  };
}

/** Logs each request: failures at warn, the rest at debug. */
export function useRequestLog(): GatewayPlugin {
  return {
    name: 'request-log',
    onRequest(exchange) {
      let scope: RequestScope | null = null;
      return {
        onAdmitted: (admitted) => void (scope = admitted),
        onAnswer(answer) {
          const failed = answer.status >= 500;
          if (!failed && !logger().isLevelEnabled('debug')) return;
          const { outcome, code } = ending(answer, scope);
          const line = { event: 'request', status: answer.status, outcome, code, ms: Math.round((performance.now() - exchange.received) * 100) / 100 };
          const log = requestLogger({ requestId: exchange.requestId });
          if (failed) log.warn(line);
          else log.debug(line);
        },
      };
    },
  };
}

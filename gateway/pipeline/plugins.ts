/**
 * The gateway's plugins: each cross-cutting concern (a deadline, a client that goes away, timing
 * headers, and the observability plugins) is a small `useX(options)` that hooks the steps of a
 * request, in the manner of Envelop's and Hive Gateway's plugins. A plugin is told when a
 * request arrives and gets back hooks for that request alone; the pipeline calls them in the
 * order the plugins were given.
 */
import type { Answer, Exchange } from './exchange.js';
import type { RequestScope } from './requestScope.js';

/** The steps of a GraphQL request, in order (graphqlPipeline.ts). */
export type StepName = 'queue' | 'read' | 'admit' | 'document' | 'execute' | 'record';

/** A gateway plugin. */
export interface GatewayPlugin {
  readonly name: string;
  /** A request arrived: the hooks for it, if the plugin has any. */
  onRequest(exchange: Exchange): RequestHooks | void;
  /**
   * Runs the whole request inside `run`, for what must hold around all of it (a trace's span,
   * active while the steps run, so that what they start is part of it). Plugins wrap in the order
   * given, the first outermost.
   */
  wrapRequest?(exchange: Exchange, run: () => Promise<void>): Promise<void>;
}

/** What a plugin does for one request. */
export interface RequestHooks {
  /** A step begins; what is returned is called when it ends, with the error if it threw. */
  onStep?(step: StepName): ((error?: unknown) => void) | void;
  /** Runs a step inside `run` (a span of its own, active while it runs); the first plugin's wrap is outermost. */
  wrapStep?<T>(step: StepName, run: () => Promise<T>): Promise<T>;
  /** The request was admitted: its scope (who asks, for what) is known. */
  onAdmitted?(scope: RequestScope): void;
  /** The answer is about to be sent; the plugin may add headers to it. */
  onAnswer?(answer: Answer): void;
  /** The request ended, answered or not. */
  onEnd?(): void;
}

/** Aborts the request's work once it has run for `timeoutMs` (REQUEST_TIMEOUT at the fetches still under way). */
export function useDeadline(options: { readonly timeoutMs: number }): GatewayPlugin {
  return {
    name: 'deadline',
    onRequest(exchange) {
      const timer = setTimeout(() => exchange.abort.abort(new DOMException(`the request took over ${options.timeoutMs} ms`, 'TimeoutError')), options.timeoutMs);
      return { onEnd: () => clearTimeout(timer) };
    },
  };
}

/** Aborts the request's work when its client goes away before the answer: the agencies are not asked for what no one will read. */
export function useClientGone(): GatewayPlugin {
  return {
    name: 'client-gone',
    onRequest({ res, abort }) {
      const closed = () => {
        if (!res.writableFinished) abort.abort();
      };
      res.on('close', closed);
      return {};
    },
  };
}

/**
 * A `server-timing` header (W3C Server Timing) on each answered operation: the time it waited on
 * its subgraphs, the time its record took to become durable, and the gateway's whole time, so a
 * caller can tell the gateway's own share from the agencies'.
 */
export function useServerTiming(): GatewayPlugin {
  return {
    name: 'server-timing',
    onRequest(exchange) {
      let scope: RequestScope | null = null;
      let recordMs: number | null = null;
      let queueMs = 0;
      return {
        onAdmitted: (admitted) => void (scope = admitted),
        onStep(step) {
          if (step !== 'record' && step !== 'queue') return;
          const began = performance.now();
          return () => {
            if (step === 'record') recordMs = performance.now() - began;
            else queueMs = performance.now() - began;
          };
        },
        onAnswer(answer) {
          if (!scope || recordMs === null) return;
          answer.headers['server-timing'] =
            `${scope.wait.serverTiming()}, audit;dur=${recordMs.toFixed(2)}, queue;dur=${queueMs.toFixed(2)}, gateway;dur=${(performance.now() - exchange.received).toFixed(2)}`;
        },
      };
    },
  };
}

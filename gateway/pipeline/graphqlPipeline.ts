/**
 * A GraphQL request at the gateway, top to bottom. Each step is a module of its own and returns
 * what the next needs, or the answer that ends the request:
 *
 *   read      readRequest.ts     body within its limit, JSON nesting, the operation it carries
 *   queue     admissionQueue.ts  a place among the requests worked on at once (the rest wait in turn)
 *   admit     admit.ts           authenticate (token, purpose) and rate-limit; refusals recorded
 *   document  checkDocument.ts   the document's shape, before GraphQL parses it
 *   execute   execute.ts         Apollo: limits → decide and prune → plan and fetch → mask
 *   record    record.ts          the access-log record, durable before the answer
 *   respond   exchange.ts        the answer, with the headers the plugins add
 *
 * The plugins (plugins.ts) hook the steps for what cuts across them: the deadline, a client that
 * goes away, timing, tracing, metrics and logs.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticated } from '../auth/authenticate.js';
import { isAnswer, send, type Answer, type Exchange } from './exchange.js';
import type { Executed } from './execute.js';
import type { GatewayPlugin, RequestHooks, StepName } from './plugins.js';
import type { ArrivedOperation, GraphQLHttpRequest } from './readRequest.js';
import type { RequestScope } from './requestScope.js';

/** The steps, as the gateway configured them. */
export interface GraphQLSteps {
  /** A place among the requests worked on at once: its release, or the answer of a request that ended while it waited. */
  readonly queue: (exchange: Exchange) => Promise<(() => void) | Answer>;
  readonly read: (exchange: Exchange) => Promise<GraphQLHttpRequest | Answer>;
  readonly admit: (exchange: Exchange, operation: ArrivedOperation) => Promise<Authenticated | Answer>;
  readonly document: (scope: RequestScope, operation: ArrivedOperation) => Promise<{ operationName: string | null } | Answer>;
  readonly scope: (exchange: Exchange, caller: Authenticated) => RequestScope;
  readonly execute: (scope: RequestScope, request: GraphQLHttpRequest) => Promise<Executed>;
  readonly record: (scope: RequestScope, operation: ArrivedOperation, documentName: string | null, executed: Executed) => Promise<Answer>;
}

/** The handler of /graphql: the steps in order, hooked by the plugins. */
export function graphqlPipeline(steps: GraphQLSteps, plugins: readonly GatewayPlugin[]) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const exchange: Exchange = { requestId: randomUUID(), received: performance.now(), req, res, url, abort: new AbortController() };
    const hooks: RequestHooks[] = [];
    for (const plugin of plugins) {
      const hook = plugin.onRequest(exchange);
      if (hook) hooks.push(hook);
    }
    // Innermost first: the first plugin's wrap ends up outermost.
    const wrappers = hooks.filter((hook) => hook.wrapStep !== undefined).reverse();
    const step = async <T>(name: StepName, run: () => Promise<T>): Promise<T> => {
      const ends = hooks.map((hook) => hook.onStep?.(name));
      try {
        let wrapped = run;
        for (const hook of wrappers) {
          const inner = wrapped;
          wrapped = () => hook.wrapStep!(name, inner);
        }
        const result = await wrapped();
        for (const end of ends) end?.();
        return result;
      } catch (error) {
        for (const end of ends) end?.(error);
        throw error;
      }
    };
    const respond = (answer: Answer) => {
      for (const hook of hooks) hook.onAnswer?.(answer);
      send(exchange, answer);
    };
    const inOrder = async (): Promise<void> => {
      const request = await step('read', () => steps.read(exchange));
      if (isAnswer(request)) return respond(request);
      // A place is taken once the body is read (a slow upload holds none), and kept, whatever
      // happens after, until the request ends.
      let release = (): void => undefined;
      try {
        const place = await step('queue', async () => {
          const given = await steps.queue(exchange);
          if (!isAnswer(given)) release = given;
          return given;
        });
        if (isAnswer(place)) return respond(place);
        await withPlace(request);
      } finally {
        release();
      }
    };
    const withPlace = async (request: GraphQLHttpRequest): Promise<void> => {
      const caller = await step('admit', () => steps.admit(exchange, request.operation));
      if (isAnswer(caller)) return respond(caller);
      const scope = steps.scope(exchange, caller);
      for (const hook of hooks) hook.onAdmitted?.(scope);
      const document = await step('document', () => steps.document(scope, request.operation));
      if (isAnswer(document)) return respond(document);
      const executed = await step('execute', () => steps.execute(scope, request));
      respond(await step('record', () => steps.record(scope, request.operation, document.operationName, executed)));
    };

    let whole = inOrder;
    for (const plugin of [...plugins].reverse()) {
      if (!plugin.wrapRequest) continue;
      const inner = whole;
      whole = () => plugin.wrapRequest!(exchange, inner);
    }
    try {
      await whole();
    } finally {
      for (const hook of hooks) hook.onEnd?.();
    }
  };
}

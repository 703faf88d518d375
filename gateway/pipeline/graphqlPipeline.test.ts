import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Authenticated } from '../auth/authenticate.js';
import { AuditScope } from '../audit/auditScope.js';
import { SubgraphWait } from '../subgraphFetcher.js';
import { errorAnswer, type Answer } from './exchange.js';
import { graphqlPipeline, type GraphQLSteps } from './graphqlPipeline.js';
import { useDeadline, useServerTiming, type GatewayPlugin } from './plugins.js';
import type { GraphQLHttpRequest } from './readRequest.js';

const caller: Authenticated = {
  ok: true,
  principal: { sub: 'officer-1', agency: 'MARKET', roles: ['officer'], region: null, purposes: ['BIDDING'], public: false },
  purpose: 'BIDDING',
};
const request: GraphQLHttpRequest = {
  method: 'POST',
  headers: new Map(),
  search: '',
  body: { query: '{ a }' },
  operation: { query: '{ a }', operationName: null, operationHash: 'h' },
};

/** A response that keeps what was written. */
function response() {
  const written: Record<string, string> = {};
  const res = Object.assign(new EventEmitter(), {
    status: 0,
    headers: written,
    body: '',
    writableFinished: false,
    writeHead(status: number, headers: Record<string, string>) {
      res.status = status;
      res.headers = headers;
    },
    end(body: string) {
      res.body = body;
      res.writableFinished = true;
    },
  });
  return res;
}

/** Steps that note the order they ran in; `answerAt` ends the request at that step. */
function steps(trace: string[], answerAt?: 'read' | 'admit' | 'document', fail?: 'execute'): GraphQLSteps {
  const refusal = (step: string): Answer => errorAnswer(400, 'NO', `refused at ${step}`);
  return {
    queue: async () => (trace.push('queue'), () => void trace.push('released')),
    read: async () => (trace.push('read'), answerAt === 'read' ? refusal('read') : request),
    admit: async () => (trace.push('admit'), answerAt === 'admit' ? refusal('admit') : caller),
    scope: (exchange, admitted) => (
      trace.push('scope'),
      {
        requestId: exchange.requestId,
        caller: { requestId: exchange.requestId, sub: admitted.principal.sub, agency: admitted.principal.agency, roles: admitted.principal.roles, region: null, purpose: admitted.purpose },
        principal: admitted.principal,
        purpose: admitted.purpose,
        signal: exchange.abort.signal,
        audit: new AuditScope(),
        wait: new SubgraphWait(),
        internal: false,
        facts: { operationName: null, outcome: null, code: null },
      }
    ),
    document: async () => (trace.push('document'), answerAt === 'document' ? refusal('document') : { operationName: null }),
    execute: async () => {
      trace.push('execute');
      if (fail === 'execute') throw new Error('boom');
      return { status: 200, headers: {}, body: '{"data":{"a":1}}' };
    },
    record: async (_scope, _operation, _name, executed) => (trace.push('record'), executed),
  };
}

/** A plugin that notes its hooks in `trace`. */
function tracing(trace: string[]): GatewayPlugin {
  return {
    name: 'trace',
    onRequest: () => ({
      onStep: (step) => {
        trace.push(`>${step}`);
        return (error) => void trace.push(`<${step}${error ? '!' : ''}`);
      },
      onAdmitted: () => void trace.push('admitted'),
      onAnswer: (answer) => {
        trace.push(`answer ${answer.status}`);
        answer.headers['x-traced'] = 'yes';
      },
      onEnd: () => void trace.push('end'),
    }),
  };
}

async function run(pipelineSteps: GraphQLSteps, plugins: GatewayPlugin[]) {
  const res = response();
  await graphqlPipeline(pipelineSteps, plugins)({ headers: {} } as IncomingMessage, res as unknown as ServerResponse, new URL('http://gateway/graphql'));
  return res;
}

describe('the GraphQL pipeline', () => {
  it('runs read, queue, admit, document, execute and record in order, each inside the plugins’ step hooks, and answers once', async () => {
    const trace: string[] = [];
    const res = await run(steps(trace), [tracing(trace)]);
    expect(trace).toEqual([
      '>read',
      'read',
      '<read',
      '>queue',
      'queue',
      '<queue',
      '>admit',
      'admit',
      '<admit',
      'scope',
      'admitted',
      '>document',
      'document',
      '<document',
      '>execute',
      'execute',
      '<execute',
      '>record',
      'record',
      '<record',
      'answer 200',
      'released',
      'end',
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toBe('{"data":{"a":1}}');
    expect(res.headers['x-traced']).toBe('yes');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each(['read', 'admit', 'document'] as const)('stops at %s when that step answers, runs nothing after it, and still ends the plugins', async (step) => {
    const trace: string[] = [];
    const res = await run(steps(trace, step), [tracing(trace)]);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).errors[0].message).toBe(`refused at ${step}`);
    expect(trace).not.toContain('execute');
    expect(trace).not.toContain('record');
    // A request refused on its body never took a place; one refused later gives its place back.
    expect(trace.slice(-3)).toEqual(step === 'read' ? ['<read', 'answer 400', 'end'] : ['answer 400', 'released', 'end']);
  });

  it('tells the plugins a step failed, ends them, and lets the failure through to the server', async () => {
    const trace: string[] = [];
    await expect(run(steps(trace, undefined, 'execute'), [tracing(trace)])).rejects.toThrow('boom');
    expect(trace).toContain('<execute!');
    expect(trace).not.toContain('record');
    expect(trace.slice(-2)).toEqual(['released', 'end']);
  });

  it('runs the request and each step inside the plugins’ wraps, the first plugin outermost', async () => {
    const trace: string[] = [];
    const wrapping = (name: string): GatewayPlugin => ({
      name,
      onRequest: () => ({
        wrapStep: async (step, run) => {
          trace.push(`${name}>${step}`);
          const result = await run();
          trace.push(`${name}<${step}`);
          return result;
        },
      }),
      wrapRequest: async (_exchange, run) => {
        trace.push(`${name}>request`);
        await run();
        trace.push(`${name}<request`);
      },
    });
    await run(steps(trace, 'admit'), [wrapping('outer'), wrapping('inner')]);
    expect(trace).toEqual([
      'outer>request',
      'inner>request',
      'outer>read',
      'inner>read',
      'read',
      'inner<read',
      'outer<read',
      'outer>queue',
      'inner>queue',
      'queue',
      'inner<queue',
      'outer<queue',
      'outer>admit',
      'inner>admit',
      'admit',
      'inner<admit',
      'outer<admit',
      'released',
      'inner<request',
      'outer<request',
    ]);
  });

  it('aborts the request’s work at its deadline and clears the timer when it ends', async () => {
    let signal: AbortSignal | undefined;
    const slow = steps([]);
    const pipelineSteps: GraphQLSteps = {
      ...slow,
      scope: (exchange, admitted) => {
        const scope = slow.scope(exchange, admitted);
        signal = scope.signal;
        return scope;
      },
      execute: async (scope) => {
        await new Promise<void>((resolve) => scope.signal.addEventListener('abort', () => resolve()));
        return { status: 504, headers: {}, body: '{}' };
      },
    };
    await run(pipelineSteps, [useDeadline({ timeoutMs: 20 })]);
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as Error).name).toBe('TimeoutError');
  });

  it('adds a server-timing header with the subgraph wait, the record, the wait for a place and the whole time to an answered operation only', async () => {
    const answered = await run(steps([]), [useServerTiming()]);
    expect(answered.headers['server-timing']).toMatch(/^subgraphs;dur=\d+\.\d\d, audit;dur=\d+\.\d\d, queue;dur=\d+\.\d\d, gateway;dur=\d+\.\d\d$/);
    const refused = await run(steps([], 'admit'), [useServerTiming()]);
    expect(refused.headers['server-timing']).toBeUndefined();
  });
});

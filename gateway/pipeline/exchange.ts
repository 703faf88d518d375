/**
 * One HTTP request to /graphql as it goes through the pipeline, and the answer it gets. Every
 * step returns either what the next step needs or an Answer, which ends the request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request under way. */
export interface Exchange {
  /** Named in the access log, in the `x-request-id` header and in every log line about it. */
  readonly requestId: string;
  /** When it arrived (performance.now()). */
  readonly received: number;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** Aborts the request's work: its fetches to the agencies and the review's fact queries. */
  readonly abort: AbortController;
}

/** What the request is answered. */
export interface Answer {
  readonly status: number;
  /** Headers of the answer; plugins may add to them before it is sent. */
  readonly headers: Record<string, string>;
  /** The JSON body. */
  readonly body: string;
  /** The error code of an answer the gateway refused or failed itself (for metrics and logs). */
  readonly code?: string;
}

/** Whether a step's result ends the request. */
export function isAnswer(value: object): value is Answer {
  return 'status' in value && 'body' in value && 'headers' in value;
}

/** An answer with a GraphQL-shaped error: `{ errors: [{ message, extensions: { code } }] }`. */
export function errorAnswer(status: number, code: string, message: string, headers: Record<string, string> = {}): Answer {
  return { status, headers, body: JSON.stringify({ errors: [{ message, extensions: { code } }] }), code };
}

/** Sends `answer`, with the request's id. */
export function send(exchange: Exchange, answer: Answer): void {
  exchange.res.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(answer.body)),
    ...answer.headers,
    'x-request-id': exchange.requestId,
  });
  exchange.res.end(answer.body);
}

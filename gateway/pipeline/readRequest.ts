/**
 * Step 1, read the request: its body within the size limit, JSON that does not nest deeper than
 * GraphQL variables ever need, and the operation it carries (text, name and hash). Costs time
 * linear in the request's size: it runs before anyone is authenticated.
 */
import { createHash } from 'node:crypto';
import { readBody } from '../../platform/http/httpServer.js';
import { errorAnswer, type Answer, type Exchange } from './exchange.js';

/** A GraphQL request as it arrived. */
export interface GraphQLHttpRequest {
  readonly method: 'GET' | 'POST';
  /** The request's headers, one string per name (repeated headers joined by commas). */
  readonly headers: ReadonlyMap<string, string>;
  readonly search: string;
  /** The parsed JSON body of a POST. */
  readonly body: unknown;
  readonly operation: ArrivedOperation;
}

/**
 * The operation of a request as it arrived: its text, the name the caller gave, and the SHA-256
 * of the text, which names in the access log the very document that ran (persisted queries are
 * off, so a request always carries its text).
 */
export interface ArrivedOperation {
  readonly query: string | null;
  readonly operationName: string | null;
  readonly operationHash: string | null;
}

/** The deepest JSON nesting a request may have (GraphQL variables never need more). */
export const MAX_JSON_NESTING = 64;

/** Reads the request, or answers why it cannot be read. */
export async function readGraphQLRequest(exchange: Exchange, maxBodyBytes: number): Promise<GraphQLHttpRequest | Answer> {
  const { req, url } = exchange;
  const method = req.method;
  if (method !== 'GET' && method !== 'POST') return errorAnswer(405, 'METHOD_NOT_ALLOWED', 'use GET or POST', { allow: 'GET, POST' });
  const raw = await readBody(req, maxBodyBytes);
  // Closed after the answer: a keep-alive client must not send the rest of the body as a request.
  if (raw === null) return errorAnswer(413, 'PAYLOAD_TOO_LARGE', `request body over ${maxBodyBytes} bytes`, { connection: 'close' });
  for (const param of ['variables', 'extensions']) {
    const value = url.searchParams.get(param);
    if (value && jsonNestingExceeds(Buffer.from(value), MAX_JSON_NESTING)) {
      return errorAnswer(400, 'BAD_REQUEST', `the ${param} parameter nests JSON deeper than ${MAX_JSON_NESTING} levels`);
    }
  }
  let body: unknown;
  if (method === 'POST') {
    // Deep nesting in variables would exhaust the stack of whatever walks them later.
    if (jsonNestingExceeds(raw, MAX_JSON_NESTING)) return errorAnswer(400, 'BAD_REQUEST', `the request body nests JSON deeper than ${MAX_JSON_NESTING} levels`);
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      return errorAnswer(400, 'BAD_REQUEST', 'the request body is not valid JSON');
    }
  }
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return { method, headers, search: url.search, body, operation: operationOf(method, url, body) };
}

/** Whether JSON text nests arrays and objects deeper than `max` (strings are skipped). */
export function jsonNestingExceeds(raw: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** The operation a GET's parameters or a POST's body carries. */
function operationOf(method: 'GET' | 'POST', url: URL, body: unknown): ArrivedOperation {
  const request = (
    method === 'GET' ? { query: url.searchParams.get('query'), operationName: url.searchParams.get('operationName') } : body && typeof body === 'object' && !Array.isArray(body) ? body : {}
  ) as { query?: unknown; operationName?: unknown };
  const query = typeof request.query === 'string' ? request.query : null;
  const name = typeof request.operationName === 'string' ? request.operationName : null;
  return {
    query,
    operationName: name,
    operationHash: query ? createHash('sha256').update(query).digest('hex') : null,
  };
}

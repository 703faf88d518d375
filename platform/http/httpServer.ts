/**
 * The HTTP plumbing the gateway and the subgraphs share: listening and closing gracefully,
 * reading a bounded request body, JSON answers and GraphQL-shaped error bodies, and stopping a
 * process on SIGTERM or SIGINT after the requests under way are done.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Listens on `port` of `host`, rejecting when the port cannot be had. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Stops accepting connections and waits for the requests under way; keep-alive connections are
 * closed as soon as they fall idle, and anything still open after `graceMs` is cut.
 */
export function closeServer(server: Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(idleSweep);
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Beyond this much, an over-long body is not drained: the connection is cut instead. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The body of `req`, or null when it is longer than `limit` bytes. An over-long body is still
 * read to its end (and discarded, up to {@link DRAIN_LIMIT_BYTES}) so that the client, still
 * sending, gets the 413 instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  // Events rather than `for await`: an async iterator costs a promise per chunk and a generator
  // per request, on the path of every request the gateway and the subgraphs answer.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_LIMIT_BYTES) {
        done();
        req.socket.destroy();
        resolve(null);
      } else if (size <= limit) {
        chunks.push(chunk);
      }
    };
    const onEnd = () => {
      done();
      resolve(size > limit ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const onClose = () => {
      if (req.complete) return;
      done();
      reject(new Error('the request was cut off before its body was read'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Answers 413 and closes the connection (keep-alive clients must not reuse it). */
export function sendTooLarge(res: ServerResponse, limit: number): void {
  sendJson(res, 413, graphqlError('PAYLOAD_TOO_LARGE', `request body over ${limit} bytes`), { connection: 'close' });
}

/** A GraphQL-shaped error body. */
export function graphqlError(code: string, message: string): { errors: { message: string; extensions: { code: string } }[] } {
  return { errors: [{ message, extensions: { code } }] };
}

/** Sends a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** On SIGTERM or SIGINT, runs `stop` (finishing the requests under way), then exits: 0, or 1 if it failed. */
export function stopOnSignals(stop: () => Promise<void>): void {
  const shutdown = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

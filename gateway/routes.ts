/**
 * The gateway's HTTP routes: POST/GET /graphql (the pipeline; a browser gets the explorer),
 * /explorer/* (its assets), /console (the auditors' console), /healthz (the process is up) and
 * /readyz (what it depends on answers).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { graphqlError, sendJson } from '../platform/http/httpServer.js';
import { CONSOLE_HEADERS, consoleFile } from './consolePage.js';
import { EXPLORER_HEADERS, EXPLORER_HTML, explorerAsset } from './explorer.js';

/** What the routes serve. */
export interface Routes {
  readonly readiness: () => Promise<{ readonly status: string }>;
  readonly graphql: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
}

/** The request handler over `routes`. */
export function gatewayRoutes(routes: Routes) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (req.method === 'GET' && url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && url.pathname === '/readyz') {
      const report = await routes.readiness();
      return sendJson(res, report.status === 'ready' ? 200 : 503, report);
    }
    if (req.method === 'GET' && url.pathname.startsWith('/explorer/')) {
      const asset = explorerAsset(url.pathname.slice('/explorer/'.length));
      if (!asset) return sendJson(res, 404, graphqlError('NOT_FOUND', 'no such file'));
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'public, max-age=3600', ...EXPLORER_HEADERS });
      return void res.end(asset.body);
    }
    if (req.method === 'GET' && (url.pathname === '/console' || url.pathname.startsWith('/console/'))) {
      const file = consoleFile(url.pathname.replace(/^\/console\/?/, ''));
      if (!file) return sendJson(res, 404, graphqlError('NOT_FOUND', 'no such file'));
      res.writeHead(200, { 'content-type': file.type, ...CONSOLE_HEADERS });
      return void res.end(file.body);
    }
    if (url.pathname !== '/graphql') return sendJson(res, 404, graphqlError('NOT_FOUND', 'no such route; GraphQL is at /graphql'));
    if (req.method === 'GET' && !url.searchParams.has('query') && (req.headers.accept ?? '').includes('text/html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...EXPLORER_HEADERS });
      return void res.end(EXPLORER_HTML);
    }
    return routes.graphql(req, res, url);
  };
}

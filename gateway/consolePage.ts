/**
 * The audit console at /console: a static page and its script, served from the project itself
 * (no CDN), that auditors use over the gateway's GraphQL API with their own token.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../subgraphs/shared/agencies.js';

const FILES: Record<string, { file: string; type: string }> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  'console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};

/** Security headers of console responses: only this origin's scripts, styles and API. */
export const CONSOLE_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const cache = new Map<string, Buffer>();

/** A console file by its path under /console (empty for the page), or null. */
export function consoleFile(name: string): { body: Buffer; type: string } | null {
  const entry = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
  if (!entry) return null;
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(path.join(projectRoot, 'gateway/console', entry.file));
    cache.set(name, body);
  }
  return { body, type: entry.type };
}

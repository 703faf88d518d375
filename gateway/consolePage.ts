/**
 * The audit console at /console: a static page and its script, served from the project itself
 * (no CDN), that auditors use over the gateway's GraphQL API with their own token.
 */
import path from 'node:path';
import { projectRoot } from '../platform/config/projectRoot.js';
import { staticFiles } from './staticFiles.js';

const dir = path.join(projectRoot, 'gateway/console');

/** Security headers of console responses: only this origin's scripts, styles and API. */
export const CONSOLE_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** A console file by its path under /console (empty for the page), or null. */
export const consoleFile = staticFiles({
  '': { file: path.join(dir, 'index.html'), type: 'text/html; charset=utf-8' },
  'console.js': { file: path.join(dir, 'console.js'), type: 'text/javascript; charset=utf-8' },
  'console.css': { file: path.join(dir, 'console.css'), type: 'text/css; charset=utf-8' },
});

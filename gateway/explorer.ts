/**
 * The GraphQL explorer at GET /graphql: GraphiQL with React, served from the project's own
 * node_modules, so it works on government networks without internet access.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { projectRoot } from '../platform/config/projectRoot.js';
import { staticFiles, type StaticFile } from './staticFiles.js';

const require = createRequire(import.meta.url);

/** Static files of the explorer, by the name they are served under /explorer/. */
const ASSETS: Record<string, StaticFile> = {
  'react.production.min.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.production.min.js': { file: packageFile('react-dom', 'umd/react-dom.production.min.js'), type: 'text/javascript' },
  'graphiql.min.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.min.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css' },
  'explorer.js': { file: path.join(projectRoot, 'gateway/explorer/explorer.js'), type: 'text/javascript' },
};

/** The explorer page. Scripts only from this origin (no inline script, no CDN). */
export const EXPLORER_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Market Entity Graph — explorer</title>
  <link rel="stylesheet" href="/explorer/graphiql.min.css">
  <style>html, body, #explorer { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="explorer">Loading the explorer…</div>
  <script src="/explorer/react.production.min.js"></script>
  <script src="/explorer/react-dom.production.min.js"></script>
  <script src="/explorer/graphiql.min.js"></script>
  <script src="/explorer/explorer.js"></script>
</body>
</html>
`;

/** Security headers of explorer responses. */
export const EXPLORER_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:",
  'x-content-type-options': 'nosniff',
};

/** A file inside an installed package (these bundles are not in the packages' export maps). */
function packageFile(pkg: string, file: string): string {
  let dir = path.dirname(require.resolve(pkg));
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) !== pkg.split('/').pop()) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the folder of package ${pkg}`);
    dir = parent;
  }
  return path.join(dir, file);
}

/** An explorer asset by name, or null when there is none by that name. */
export const explorerAsset = staticFiles(ASSETS);

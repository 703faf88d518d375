/** Reading the access log of a test federation straight from its database. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { projectRoot } from '../../platform/config/projectRoot.js';
import type { FederationInfo } from './federation.js';
import type { Untyped } from './untyped.js';

/** Runs `fn` with a client of the federation's audit database (PostgreSQL federations only). */
export async function withAuditDatabase<T>(federation: Pick<FederationInfo, 'env'>, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = federation.env['DATABASE_URL_AUDIT'];
  if (!url) throw new Error('this federation keeps its audit log in PGlite');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The parsed records of a request id. */
export async function recordsOf(federation: Pick<FederationInfo, 'env'>, requestId: string): Promise<Untyped[]> {
  return withAuditDatabase(federation, async (c) =>
    (await c.query('SELECT record FROM audit_records WHERE request_id = $1 ORDER BY chain_id, seq', [requestId])).rows.map((r) => JSON.parse(r.record)),
  );
}

/** Runs `npm run -s audit -- …` (the compiled CLI) against the federation's audit database. */
export function auditCli(federation: Pick<FederationInfo, 'env'>, ...args: string[]): { status: number; stdout: string } {
  try {
    const stdout = execFileSync(process.execPath, [path.join(projectRoot, 'dist/scripts/audit.js'), ...args], {
      env: { ...process.env, ...federation.env },
      encoding: 'utf8',
    });
    return { status: 0, stdout };
  } catch (error) {
    const e = error as { status: number; stdout: string };
    return { status: e.status, stdout: e.stdout };
  }
}

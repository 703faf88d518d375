/**
 * (b)'s audit log on a PostgreSQL server of its own, as in production: the audit database belongs
 * to whoever runs the gateway, not to an agency, so it is never on an agency's server. The
 * benchmark starts one for the run (a new cluster in a temporary directory, the server's defaults:
 * fsync, synchronous commit and autovacuum on), pinned to the gateways' core so that all of its
 * work — the backends, the WAL writer, the checkpointer — is counted against (b) and none of it
 * against the agencies' core. It is stopped and removed when the benchmark exits.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A running audit server. */
export interface AuditPostgres {
  /** Of its `postgres` database; create the audit database in it. */
  readonly adminUrl: string;
  /** Where it runs, for the report. */
  readonly placement: string;
  /** The postmaster's pid (its children are the server's other processes). */
  readonly postmasterPid: number;
}

/** The directory of PostgreSQL's server programs: MEG_PG_BINDIR, or the newest under /usr/lib/postgresql. */
function serverBinDir(): string {
  const given = process.env['MEG_PG_BINDIR'];
  if (given) return given;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin/initdb')))
        .sort((x, y) => Number(y) - Number(x))
    : [];
  if (versions.length === 0) {
    throw new Error('the benchmark starts a PostgreSQL server for the audit log and found no initdb under /usr/lib/postgresql; set MEG_PG_BINDIR to the directory holding initdb and pg_ctl');
  }
  return path.join(root, versions[0]!, 'bin');
}

/**
 * Starts the audit server on `port`, pinned to `core`. PostgreSQL refuses to run as root, so as
 * root the cluster belongs to the `postgres` user and lives under the system's temporary directory
 * (a clone under a private directory may not be reachable by that user).
 */
export function startAuditPostgres(core: string, port: number): AuditPostgres {
  const bin = serverBinDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meg-bench-audit-pg-'));
  const data = path.join(dir, 'data');
  const run = (program: string, args: string[]) => {
    const command = asRoot ? ['runuser', '-u', 'postgres', '--', path.join(bin, program), ...args] : [path.join(bin, program), ...args];
    execFileSync('taskset', ['-c', core, ...command], { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
  };
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  let started = false;
  const stop = () => {
    if (started) {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // --no-sync: only initdb's own files go unsynced; the server then runs with fsync on.
    run('initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']);
    started = true;
  } catch (error) {
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
    const serverLog = existsSync(path.join(dir, 'server.log')) ? readFileSync(path.join(dir, 'server.log'), 'utf8').slice(-1000) : '';
    stop();
    throw new Error(`could not start the audit log's PostgreSQL server (${bin}, port ${port}): ${(error as Error).message.split('\n')[0]} ${detail} ${serverLog}`.trim());
  }
  process.on('exit', stop);
  const postmasterPid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    placement: `its own server (PostgreSQL ${path.basename(path.dirname(bin))}, server defaults) on core ${core}`,
    postmasterPid,
  };
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, the benchmark needs the postgres user to run the audit server, and /etc/passwd has none');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

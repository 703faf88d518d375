/**
 * Reading configuration from the environment: each reader validates its variable and throws a
 * ConfigurationError that names the variable, the value and what was expected.
 */

/** A configuration value is missing or malformed. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

type Env = Readonly<Record<string, string | undefined>>;

/** A TCP port (0 lets the system choose). */
export function portFrom(env: Env, name: string, fallback: number): number {
  return intFrom(env, name, fallback, 0, 65_535);
}

/** An integer within [min, max]. */
export function intFrom(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigurationError(`${name}=${JSON.stringify(raw)} is not an integer`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigurationError(`${name}=${raw} is out of range ${min}–${max}`);
  return value;
}

/**
 * A URL of one of `protocols` (e.g. `['redis:', 'rediss:']`), or undefined when the variable is
 * unset. `expected` names them in the error ("a redis:// or rediss:// URL"); `example`, when
 * given, shows what a good one looks like.
 */
export function urlFrom(env: Env, name: string, protocols: readonly string[], expected: string, example?: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(example ? `${name} is not a URL (expected ${example})` : `${name}=${JSON.stringify(raw)} is not a URL`);
  }
  if (!protocols.includes(url.protocol)) throw new ConfigurationError(`${name} must be ${expected}, not ${url.protocol}//…`);
  return raw;
}

/** A postgres:// URL, or undefined when the variable is unset. */
export function postgresUrlFrom(env: Env, name: string): string | undefined {
  return urlFrom(env, name, ['postgres:', 'postgresql:'], 'a postgres:// URL', 'postgres://user@host:port/database');
}

/** `on` or `off` (anything else is an error, so that a typo does not silently flip a switch). */
export function onOffFrom(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigurationError(`${name}=${JSON.stringify(raw)} must be on or off`);
}

/** A string, or the fallback when unset. */
export function stringFrom(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

/**
 * `MEG_NATS_URL` as a list of servers, or null when unset; each must be a `nats://host:port` (or
 * `tls://host:port`) URL. A user and password in it are never repeated in an error.
 */
export function natsServersFrom(env: Env): readonly string[] | null {
  const raw = env['MEG_NATS_URL']?.trim();
  if (!raw) return null;
  const servers = raw.split(',').map((s) => s.trim());
  servers.forEach((server, i) => {
    let url: URL | null = null;
    try {
      url = new URL(server);
    } catch {
      // Reported below.
    }
    const port = url ? Number(url.port) : 0;
    if (!url || (url.protocol !== 'nats:' && url.protocol !== 'tls:') || !url.hostname || !(port >= 1 && port <= 65_535) || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
      const shown = url ? `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}${url.search}` : `server ${i + 1}`;
      throw new ConfigurationError(`MEG_NATS_URL names ${JSON.stringify(shown)}: expected nats://host:port (or tls://host:port), comma-separated for a cluster`);
    }
  });
  return servers;
}

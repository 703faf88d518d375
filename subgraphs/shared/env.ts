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

/** A postgres:// URL, or undefined when the variable is unset. */
export function postgresUrlFrom(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(`${name} is not a URL (expected postgres://user@host:port/database)`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigurationError(`${name} must be a postgres:// URL, not ${url.protocol}//…`);
  }
  return raw;
}

/** A string, or the fallback when unset. */
export function stringFrom(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

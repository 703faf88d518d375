/**
 * The fuzzer's leak invariant, against the owners' raw values: the personal values the agencies
 * hold in clear (legal representatives' names, ID numbers and phones; employees' names and ID
 * numbers), read from their own databases. A caller to whom the policy shows such a field only
 * masked, or not at all, must find none of its values anywhere in an answer: not in the field,
 * not in a cursor or any other string, not base64-encoded, not inside JSON inside a string.
 *
 * It is independent of the gateway's walk of the response: every string of the body is read,
 * whatever field or error it sits in.
 */
import pg from 'pg';

/** Where each personal coordinate's values are kept by its owner. */
const SOURCES: Readonly<Record<string, { readonly agency: 'MARKET' | 'SOCIAL'; readonly sql: string }>> = {
  'LegalRepresentative.name': { agency: 'MARKET', sql: 'SELECT legal_rep_name AS v FROM market_registrations WHERE uscc = ANY($1)' },
  'LegalRepresentative.idNumber': { agency: 'MARKET', sql: 'SELECT legal_rep_id_number AS v FROM market_registrations WHERE uscc = ANY($1)' },
  'LegalRepresentative.phone': { agency: 'MARKET', sql: 'SELECT legal_rep_phone AS v FROM market_registrations WHERE uscc = ANY($1)' },
  'Employee.name': { agency: 'SOCIAL', sql: 'SELECT name AS v FROM social_employees WHERE uscc = ANY($1)' },
  'Employee.idNumber': { agency: 'SOCIAL', sql: 'SELECT id_number AS v FROM social_employees WHERE uscc = ANY($1)' },
};

/** The raw values of the personal coordinates, by coordinate. */
export type RawValues = ReadonlyMap<string, ReadonlySet<string>>;

/** Reads the raw personal values of the enterprises `codes` from the owners' databases (`DATABASE_URL_<AGENCY>` in `env`). */
export async function loadRawValues(env: Readonly<Record<string, string>>, codes: readonly string[]): Promise<RawValues> {
  const out = new Map<string, Set<string>>();
  for (const [coordinate, source] of Object.entries(SOURCES)) {
    const url = env[`DATABASE_URL_${source.agency}`];
    if (!url) throw new Error(`the leak invariant needs the ${source.agency} database (DATABASE_URL_${source.agency})`);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      out.set(coordinate, new Set((await client.query<{ v: string }>(source.sql, [codes])).rows.map((r) => r.v)));
    } finally {
      await client.end();
    }
  }
  return out;
}

/** What a caller must not find in an answer: values it may see only masked or not at all, and nowhere in clear. */
export interface Secrets {
  /** Values with enough characters to be looked for inside longer strings (ID numbers, phones). */
  readonly long: ReadonlyMap<string, string>;
  /** Short values (names), looked for as whole strings. */
  readonly short: ReadonlyMap<string, string>;
}

/**
 * The secrets of a caller with these decisions: the values of every personal coordinate it is not
 * allowed to see in clear, less any value it is allowed to see in clear under another coordinate
 * (a legal representative who is also an employee elsewhere).
 */
export function secretsFor(raw: RawValues, decisions: ReadonlyMap<string, { readonly effect: string }>): Secrets {
  const seen = new Set<string>();
  for (const [coordinate, values] of raw) if (decisions.get(coordinate)?.effect === 'ALLOW') for (const v of values) seen.add(v);
  const long = new Map<string, string>();
  const short = new Map<string, string>();
  for (const [coordinate, values] of raw) {
    if (decisions.get(coordinate)?.effect === 'ALLOW') continue;
    for (const v of values) {
      if (seen.has(v)) continue;
      (v.length >= 8 ? long : short).set(v, coordinate);
    }
  }
  return { long, short };
}

/**
 * The ways a string can carry a value: itself, and the base64, base64url and hex decodings of it
 * and of every such run inside it (prefixes like `c1.` dropped), with the strings of any JSON they
 * hold.
 */
export function readingsOf(text: string): string[] {
  const out = [text];
  const runs = new Set([text, ...(text.match(/[A-Za-z0-9_+/=-]{12,}/g) ?? [])]);
  for (const run of runs) {
    const body = run.replace(/^[a-z]\d?[.:]/, '');
    const decodings = [Buffer.from(body, 'base64url'), Buffer.from(body, 'base64')];
    if (/^(?:[0-9a-fA-F]{2})+$/.test(body)) decodings.push(Buffer.from(body, 'hex'));
    for (const decoded of new Set(decodings.map((b) => b.toString('utf8')))) {
      if (decoded.length === 0 || decoded === run) continue;
      out.push(decoded);
      try {
        out.push(...stringsIn(JSON.parse(decoded)));
      } catch {
        // not JSON
      }
    }
  }
  return out;
}

/** Every string in a JSON value, keys included. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...stringsIn(v)]);
  return [];
}

/** Runs that could hold an ID number or a phone (digits, X), and runs of CJK characters that could hold a name. */
const DIGIT_RUNS = /[0-9X]{11,}/g;
const NAME_RUNS = /[\u3400-\u9fff]{2,}/gu;

/**
 * One sentence per secret found in `body` (a response as received): which coordinate's value, and
 * where it was read. Long values are looked for at every offset of every run of digits (so one
 * glued to other digits is found); names of three characters or more at every offset of every run
 * of Chinese characters, shorter ones as whole strings.
 */
export function leaks(body: string, secrets: Secrets): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const longLengths = [...new Set([...secrets.long.keys()].map((v) => v.length))];
  // Two-character names are looked for as whole strings only: inside longer text (a company's name,
  // an address) two characters match by chance.
  const shortLengths = [...new Set([...secrets.short.keys()].map((v) => [...v].length))].filter((n) => n >= 3);
  const found = new Map<string, string>();
  const note = (coordinate: string, value: string, text: string) => found.set(`${coordinate} ${value}`, `${coordinate}: a raw value appears in the answer in ${JSON.stringify(text.slice(0, 80))}`);
  for (const text of stringsIn(parsed)) {
    for (const reading of readingsOf(text)) {
      const whole = secrets.short.get(reading) ?? secrets.long.get(reading);
      if (whole) note(whole, reading, text);
      for (const [run] of reading.matchAll(DIGIT_RUNS)) windows(run, longLengths, (w) => secrets.long.get(w) && note(secrets.long.get(w)!, w, text));
      for (const [run] of reading.matchAll(NAME_RUNS)) windows(run, shortLengths, (w) => secrets.short.get(w) && note(secrets.short.get(w)!, w, text));
    }
  }
  return [...found.values()].sort();
}

/** Calls `visit` with every substring of `run` of each of `lengths`. */
function windows(run: string, lengths: readonly number[], visit: (window: string) => unknown): void {
  const chars = [...run];
  for (const length of lengths) for (let i = 0; i + length <= chars.length; i++) visit(chars.slice(i, i + length).join(''));
}

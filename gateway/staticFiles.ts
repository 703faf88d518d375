/** Files the gateway serves as they are (the explorer, the console), read once and kept in memory. */
import { readFileSync } from 'node:fs';

/** A served file: where it is on disk and its content type. */
export interface StaticFile {
  readonly file: string;
  readonly type: string;
}

/** A lookup of `files` by name, loading each on first use; null for a name not in the list. */
export function staticFiles(files: Readonly<Record<string, StaticFile>>): (name: string) => { body: Buffer; type: string } | null {
  const cache = new Map<string, Buffer>();
  return (name) => {
    const entry = Object.hasOwn(files, name) ? files[name] : undefined;
    if (!entry) return null;
    let body = cache.get(name);
    if (!body) {
      body = readFileSync(entry.file);
      cache.set(name, body);
    }
    return { body, type: entry.type };
  };
}

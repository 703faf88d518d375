/**
 * Canonical JSON: object keys sorted at every level, no spaces, so equal records hash equally.
 * Every record the gateway answers is hashed through this, so it builds the text in one pass,
 * without the intermediate arrays of entries a map-filter-sort-join would allocate; and the text
 * of a deeply frozen value (a record's decisions, shared by every request of one kind of caller,
 * see auditScope.ts) is written once and kept: such a value cannot change.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  const frozen = Object.isFrozen(value);
  if (frozen) {
    const known = lasting.get(value);
    if (known !== undefined) return known;
  }
  const text = Array.isArray(value) ? arrayText(value) : objectText(value as Record<string, unknown>);
  if (frozen && deeplyFrozen(value)) lasting.set(value, text);
  return text;
}

/** The texts of deeply frozen values, by value. */
const lasting = new WeakMap<object, string>();

function arrayText(value: readonly unknown[]): string {
  let text = '[';
  for (let i = 0; i < value.length; i++) text += (i === 0 ? '' : ',') + canonicalJson(value[i]);
  return `${text}]`;
}

function objectText(object: Record<string, unknown>): string {
  const keys = Object.keys(object);
  // The default sort of strings: UTF-16 code-unit order, as `<` compares them (not the locale's).
  // Many objects are built in that order already: no sort, no copy.
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      keys.sort();
      break;
    }
  }
  let text = '{';
  let first = true;
  for (const key of keys) {
    const v = object[key];
    if (v === undefined) continue;
    text += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${text}}`;
}

/**
 * Whether `value` is plain data that can never change: frozen, every member a data property (a
 * getter could answer differently next time), no holes in an array (a hole reads through the
 * prototype), and the same of everything in it. Checked once per value kept.
 */
function deeplyFrozen(value: object): boolean {
  if (!Object.isFrozen(value)) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!(i in value)) return false;
  }
  for (const key of Object.keys(value)) {
    const member = Object.getOwnPropertyDescriptor(value, key);
    if (!member || !('value' in member)) return false;
    const v: unknown = member.value;
    if (v !== null && typeof v === 'object' && !lasting.has(v) && !deeplyFrozen(v)) return false;
  }
  return true;
}

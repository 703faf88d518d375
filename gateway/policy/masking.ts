/**
 * How a value looks when the policy lets a caller see it only masked. Each mask keeps just
 * enough to serve its purpose: an ID number keeps its region and last four digits so a person
 * can be told apart, an amount keeps its order of magnitude, a keyed hash lets analysts link
 * records of the same value without reading it.
 */
import { createHmac } from 'node:crypto';

/** The masks of the classification vocabulary. */
export type MaskName = 'ID_NUMBER' | 'NAME' | 'PHONE' | 'AMOUNT_BAND' | 'DATE_YEAR' | 'HASH';

/** Masks one value (null stays null; anything unexpected is withheld entirely). */
export type Masker = (mask: string, value: unknown) => unknown;

/** Amount bands in yuan, lower bound inclusive. */
const AMOUNT_BANDS: readonly [number, string][] = [
  [10_000_000, '10M+'],
  [1_000_000, '1M-10M'],
  [100_000, '100k-1M'],
  [10_000, '10k-100k'],
  [0, '0-10k'],
];

/** A masker whose HASH mask is keyed with `hashKey`, so hashes cannot be recomputed outside. */
export function createMasker(hashKey: Buffer): Masker {
  return (mask, value) => {
    if (value === null || value === undefined) return null;
    switch (mask) {
      case 'ID_NUMBER':
        return typeof value === 'string' && value.length > 10 ? `${value.slice(0, 6)}${'*'.repeat(value.length - 10)}${value.slice(-4)}` : '********';
      case 'NAME':
        return typeof value === 'string' && value.length > 0 ? `${[...value][0]}${'*'.repeat(Math.max(1, [...value].length - 1))}` : '*';
      case 'PHONE':
        return typeof value === 'string' && value.length > 7 ? `${value.slice(0, 3)}${'*'.repeat(value.length - 7)}${value.slice(-4)}` : '****';
      case 'AMOUNT_BAND': {
        // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, Number() of a number is that number
        const n = typeof value === 'number' ? value : Number(value);
        if (!Number.isFinite(n)) return null;
        if (n < 0) return 'negative';
        return AMOUNT_BANDS.find(([lower]) => n >= lower)![1];
      }
      case 'DATE_YEAR':
        return typeof value === 'string' && /^\d{4}/.test(value) ? value.slice(0, 4) : null;
      case 'HASH':
        return `h:${createHmac('sha256', hashKey)
          .update(typeof value === 'string' ? value : JSON.stringify(value))
          .digest('base64url')
          .slice(0, 22)}`;
      default:
        // A mask this gateway does not know: withhold the value rather than guess.
        return null;
    }
  };
}

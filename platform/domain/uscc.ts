/**
 * The unified social credit code (统一社会信用代码) of GB 32100-2015.
 *
 * Eighteen characters from a 31-character alphabet (the digits and the capital
 * letters without I, O, Z, S and V, which are too easily misread):
 *   1      registration authority (9 = market regulation, 5 = civil affairs, ...)
 *   2      entity type under that authority (1 = enterprise, 2 = individual business, ...)
 *   3–8    administrative region of the registering authority (GB/T 2260)
 *   9–17   the organisation code of GB 11714: eight body characters and a check character
 *   18     check character over positions 1–17, modulo 31
 */

/** The 31 characters a code may contain, in the order of their numeric values. */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** Weights of positions 1–17 for the mod-31 check character (3^i mod 31). */
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** Weights of the eight body characters of a GB 11714 organisation code. */
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** Why a string is not a valid code; `position` is 1-based where one character is at fault. */
export interface UsccProblem {
  readonly reason: 'TYPE' | 'LENGTH' | 'CHARACTER' | 'ORGANISATION_CHECK' | 'CHECK_DIGIT';
  readonly message: string;
  readonly position?: number;
}

/**
 * Returns what is wrong with `value` as a unified social credit code, or null when it is valid.
 * Lower-case input is not accepted: codes are printed and exchanged in capitals, and accepting
 * both would give one enterprise two keys.
 */
export function checkUscc(value: unknown): UsccProblem | null {
  if (typeof value !== 'string') {
    return { reason: 'TYPE', message: `a unified social credit code must be a string, not ${describe(value)}` };
  }
  if (value.length !== 18) {
    return {
      reason: 'LENGTH',
      message: `a unified social credit code has 18 characters; "${printable(value)}" has ${value.length}`,
    };
  }
  for (let i = 0; i < 18; i++) {
    if (!USCC_ALPHABET.includes(value[i]!)) {
      return {
        reason: 'CHARACTER',
        position: i + 1,
        message: `bad character "${printable(value[i]!)}" at position ${i + 1} of "${printable(value)}": ` + `only digits and the capital letters ${USCC_ALPHABET.slice(10)} may appear`,
      };
    }
  }
  const orgCheck = organisationCodeCheckCharacter(value.slice(8, 16));
  if (value[16] !== orgCheck) {
    return {
      reason: 'ORGANISATION_CHECK',
      position: 17,
      message: `organisation code check digit of "${value}" is wrong: position 17 is "${value[16]}", expected "${orgCheck}"`,
    };
  }
  // Stryker disable next-line MethodExpression: equivalent, usccCheckCharacter reads only the first 17 characters
  const check = usccCheckCharacter(value.slice(0, 17));
  if (value[17] !== check) {
    return {
      reason: 'CHECK_DIGIT',
      position: 18,
      message: `check digit of "${value}" is wrong: position 18 is "${value[17]}", expected "${check}"`,
    };
  }
  return null;
}

/** True when `value` is a valid unified social credit code. */
export function isUscc(value: unknown): value is string {
  return checkUscc(value) === null;
}

/** The mod-31 check character for the first 17 characters of a code. */
export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i]!) * USCC_WEIGHTS[i]!;
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]!;
}

/**
 * The GB 11714 check character of an eight-character organisation code body
 * (characters 0–9 = 0–9, A–Z = 10–35; C9 = 11 − Σ mod 11, with 10 written X and 11 written 0).
 */
export function organisationCodeCheckCharacter(body8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    // Base 36 reads 0–9 as 0–9 and A–Z as 10–35, as GB 11714 does.
    sum += parseInt(body8[i]!, 36) * ORG_CODE_WEIGHTS[i]!;
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/**
 * Builds a valid code from its parts: authority and type characters, a six-digit region
 * code and an eight-character organisation code body; both check characters are computed.
 */
export function composeUscc(authority: string, entityType: string, regionCode: string, orgBody8: string): string {
  const first17 = authority + entityType + regionCode + orgBody8 + organisationCodeCheckCharacter(orgBody8);
  return first17 + usccCheckCharacter(first17);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it replaces: the messages echo what the caller sent
  return (s.length > 40 ? `${s.slice(0, 40)}…` : s).replace(/[\u0000-\u001f]/g, '?');
}

/**
 * Citizen identity numbers of GB 11643-1999: six digits of the region of household
 * registration (GB/T 2260), eight of the birth date, a three-digit sequence whose last digit is
 * odd for men and even for women, and an ISO 7064 MOD 11-2 check character (0–9 or X).
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';

/** The check character for the first 17 digits of an identity number. */
export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK_CHARACTERS[sum % 11]!;
}

/** True when `value` is an 18-character identity number with a valid date and check character. */
export function isResidentId(value: string): boolean {
  if (!/^\d{17}[\dX]$/.test(value)) return false;
  const y = Number(value.slice(6, 10));
  const m = Number(value.slice(10, 12));
  const d = Number(value.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return false;
  return residentIdCheckCharacter(value.slice(0, 17)) === value[17];
}

/** Builds an identity number from region, birth date (YYYYMMDD) and a sequence 0–999. */
export function composeResidentId(regionCode: string, birthDate: string, sequence: number): string {
  const first17 = regionCode + birthDate + String(sequence).padStart(3, '0');
  return first17 + residentIdCheckCharacter(first17);
}

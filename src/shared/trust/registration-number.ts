/**
 * Medical registration numbers an authority may attest, with the rules that are published:
 *
 * - Dutch BIG number (BIG-register): 11 digits. The register publishes no check-digit rule
 *   (it is not an elfproef number like the BSN), so only the format can be checked here; the
 *   authority must look the number up in the register before attesting it.
 * - Belgian RIZIV/INAMI number: 11 digits X-XXXXX-CC-QQQ (profession, sequence, check,
 *   qualification). The check CC is computed over the first 6 digits: 97 - (n mod 97) for the
 *   original series, and 89 - (n mod 89) for the series RIZIV introduced in 2012 (midwives,
 *   nurses) and in 2019 (physicians) when the mod-97 numbers ran out. Both series are valid.
 */
export const REGISTRATION_SCHEMES = ['BIG', 'RIZIV'] as const;
export type RegistrationScheme = (typeof REGISTRATION_SCHEMES)[number];

export interface Registration {
  readonly scheme: RegistrationScheme;
  /** The 11 digits, without separators. */
  readonly number: string;
}

const ELEVEN_DIGITS = /^\d{11}$/;

/** Strips the usual separators (spaces, dots, dashes, slashes) people type. */
export function normaliseRegistrationNumber(input: string): string {
  return input.replace(/[\s./-]/g, '');
}

export function isValidBigNumber(digits: string): boolean {
  return ELEVEN_DIGITS.test(digits) && !/^0+$/.test(digits);
}

export function rizivCheck(sixDigits: number, modulus: 97 | 89): number {
  return modulus - (sixDigits % modulus);
}

export function isValidRizivNumber(digits: string): boolean {
  if (!ELEVEN_DIGITS.test(digits)) return false;
  const base = Number(digits.slice(0, 6));
  const check = Number(digits.slice(6, 8));
  if (base === 0) return false;
  return check === rizivCheck(base, 97) || check === rizivCheck(base, 89);
}

export function isValidRegistration(r: Registration): boolean {
  switch (r.scheme) {
    case 'BIG':
      return isValidBigNumber(r.number);
    case 'RIZIV':
      return isValidRizivNumber(r.number);
  }
}

/** The normalised registration, or null when the number breaks its scheme's rules. */
export function parseRegistration(scheme: RegistrationScheme, input: string): Registration | null {
  const r = { scheme, number: normaliseRegistrationNumber(input) };
  return isValidRegistration(r) ? r : null;
}

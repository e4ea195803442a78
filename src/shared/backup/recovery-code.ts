/**
 * The Backup & Restore code (the "security key"): 26 random Crockford base32 symbols (130 bits)
 * followed by 2 check symbols, shown as 7 groups of 4 (`K7QF-3MZD-…`).
 *
 * The check value is Σ (i+1)·vᵢ mod 1021 over the 26 data symbols, written as two symbols.
 * 1021 is prime and larger than every weight and every symbol difference, so any single mistyped
 * symbol and any swap of two neighbouring symbols changes it: such typos are refused locally,
 * before a network call could count them against the account's restore attempts.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { BackupError } from './backup-error';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECOVERY_CODE_DATA_SYMBOLS = 26;
const CHECK_SYMBOLS = 2;
const CHECK_MODULUS = 1021;
const GROUP = 4;

/** A code in canonical form: 28 upper-case Crockford symbols, no separators. */
export type RecoveryCode = string & { readonly __brand: 'RecoveryCode' };

function checkValue(values: readonly number[]): number {
  let sum = 0;
  values.forEach((v, i) => (sum = (sum + (i + 1) * v) % CHECK_MODULUS));
  return sum;
}

/** A fresh code from the platform CSPRNG (`random` is injectable for tests). */
export function generateRecoveryCode(random: (n: number) => Uint8Array = randomBytes): RecoveryCode {
  const bytes = random(RECOVERY_CODE_DATA_SYMBOLS);
  // Each byte gives 5 unbiased bits (256 is a multiple of 32).
  const values = [...bytes].map((b) => b & 31);
  const check = checkValue(values);
  return [...values, check >> 5, check & 31].map((v) => ALPHABET[v]).join('') as RecoveryCode;
}

/**
 * Accepts what a person types: any case, spaces and dashes, O for 0 and I/L for 1.
 * Throws BackupError BAD_CODE_FORMAT or BAD_CODE_CHECK.
 */
export function parseRecoveryCode(input: string): RecoveryCode {
  const cleaned = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (cleaned.length !== RECOVERY_CODE_DATA_SYMBOLS + CHECK_SYMBOLS) throw new BackupError('BAD_CODE_FORMAT', 'wrong length');
  // Only ASCII survives the check below, so indexing by code unit is exact.
  const values = Array.from({ length: cleaned.length }, (_, i) => ALPHABET.indexOf(cleaned.charAt(i)));
  if (values.some((v) => v < 0)) throw new BackupError('BAD_CODE_FORMAT', 'not a code character');
  const data = values.slice(0, RECOVERY_CODE_DATA_SYMBOLS);
  const [hi = 0, lo = 0] = values.slice(RECOVERY_CODE_DATA_SYMBOLS);
  if (checkValue(data) !== hi * 32 + lo) throw new BackupError('BAD_CODE_CHECK', 'check characters do not match');
  return cleaned as RecoveryCode;
}

/** `K7QF-3MZD-…`: groups of 4 for reading aloud, printing and typing. */
export function formatRecoveryCode(code: RecoveryCode): string {
  return code.match(new RegExp(`.{1,${GROUP}}`, 'g'))?.join('-') ?? code;
}

/** The groups alone, for a UI that lays them out itself. */
export function recoveryCodeGroups(code: RecoveryCode): string[] {
  return formatRecoveryCode(code).split('-');
}

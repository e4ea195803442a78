import { PIN_LENGTH } from '../../../shared/limits';

export type PinPolicyViolation =
  /** Not exactly PIN_LENGTH ASCII digits. */
  | 'WRONG_FORMAT'
  /** All digits the same: 11111. */
  | 'REPEATED'
  /** Each digit one more or one less than the last, wrapping 9→0 / 0→9: 12345, 54321, 90123, 21098. */
  | 'SEQUENTIAL'
  /** Another trivially guessable shape: a constant step (13579, 02468, 97531) or two alternating digits (12121). */
  | 'PATTERN';

export type PinPolicyResult = { ok: true } | { ok: false; code: PinPolicyViolation };

/**
 * The PIN rules (docs/database.md, "Lock"). Digits are treated as a ring, so wrap-around runs
 * such as 90123 count as sequential: on a keypad they read as an obvious continuation. With
 * PIN_LENGTH 5 the rules reject 180 of the 100,000 codes (100 constant-step, 80 more alternating).
 */
export function checkPinPolicy(pin: string): PinPolicyResult {
  if (pin.length !== PIN_LENGTH || !/^[0-9]+$/.test(pin)) return { ok: false, code: 'WRONG_FORMAT' };
  const digits = Array.from({ length: pin.length }, (_, i) => pin.charCodeAt(i) - 48);
  const steps = digits.slice(1).map((d, i) => (d - digits[i]! + 10) % 10);
  const step = steps[0]!;
  if (steps.every((s) => s === step)) {
    if (step === 0) return { ok: false, code: 'REPEATED' };
    if (step === 1 || step === 9) return { ok: false, code: 'SEQUENTIAL' };
    return { ok: false, code: 'PATTERN' };
  }
  if (digits.every((d, i) => d === digits[i % 2])) return { ok: false, code: 'PATTERN' };
  return { ok: true };
}

/**
 * Test-only: turns "this call fails with code X" into a value a test can compare, so bad-path
 * assertions read as `expect(thrownCode(() => f())).toBe('MALFORMED')`. Not imported by product code.
 */
import { WardlineError } from '../errors';

type WardlineErrorClass = abstract new (...args: never[]) => WardlineError;

export interface ErrorCodeOptions {
  /** Only this error class counts as a coded failure; by default any WardlineError does. */
  readonly only?: WardlineErrorClass;
  /** What to report when nothing is thrown; by default undefined. */
  readonly whenNone?: string;
}

// Anything thrown that is not the expected kind of error propagates, so a bug that throws a
// TypeError fails the test with its own stack instead of comparing as a made-up code.
function codeFrom(thrown: unknown, options: ErrorCodeOptions): string {
  const expected = options.only ?? WardlineError;
  if (thrown instanceof expected) return thrown.code;
  throw thrown;
}

/** The code of the error `fn` throws synchronously. */
export function thrownCode(fn: () => unknown, options: ErrorCodeOptions = {}): string | undefined {
  try {
    fn();
  } catch (e) {
    return codeFrom(e, options);
  }
  return options.whenNone;
}

/** The code of the error a promise rejects with, or a function throws or rejects with. */
export async function rejectedCode(work: Promise<unknown> | (() => unknown), options: ErrorCodeOptions = {}): Promise<string | undefined> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (e) {
    return codeFrom(e, options);
  }
  return options.whenNone;
}

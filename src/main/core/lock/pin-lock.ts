import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { Clock } from '../../../shared/clock';
import { PIN_FIRST_LOCKOUT_MS, PIN_MAX_TRIES, PIN_REPEAT_LOCKOUT_MS } from '../../../shared/limits';
import { checkPinPolicy, type PinPolicyViolation } from './pin-policy';
import { hashPin, PIN_HASH_PARAMS, pinMatches, zPinHashParams, type PinHash, type PinHashParams } from './pin-hash';

export type PinAttemptResult =
  | { ok: true }
  | { ok: false; code: 'WRONG_PIN'; triesLeft: number }
  | { ok: false; code: 'LOCKED_OUT'; until: number }
  | { ok: false; code: 'NO_PIN' };

export type SetPinResult =
  | { ok: true }
  | { ok: false; code: PinPolicyViolation }
  | { ok: false; code: 'PIN_ALREADY_SET' }
  | Exclude<PinAttemptResult, { ok: true }>;

export interface LockStatus {
  readonly hasPin: boolean;
  readonly failedTries: number;
  /** 0 when not locked out. */
  readonly lockedUntil: number;
}

interface LockRow {
  pin_hash: Buffer | null;
  pin_salt: Buffer | null;
  pin_params: string | null;
  failed_tries: number;
  locked_until: number;
}

/**
 * The PIN lock. Hash, failure counter and lockout end live in the encrypted store (lock_state), so
 * a restart neither forgets the PIN nor resets a lockout. A wrong PIN is a result, never an
 * exception. Attempts are serialised, and each one is charged (counter and lockout written)
 * before the slow hash runs: killing the app mid-check cannot buy a free try, and a parallel try
 * sees the lockout.
 */
export class PinLock {
  readonly #clock: Clock;
  readonly #hashParams: PinHashParams;
  readonly #read;
  readonly #writePin;
  readonly #writeCounters;
  #queue: Promise<unknown> = Promise.resolve();

  /** `hashParams` applies to PINs set from now on (tests use cheaper ones); checks use the stored ones. */
  constructor(db: Database, clock: Clock, options: { hashParams?: PinHashParams } = {}) {
    this.#clock = clock;
    this.#hashParams = zPinHashParams.parse(options.hashParams ?? PIN_HASH_PARAMS);
    this.#read = db.prepare<[], LockRow>('SELECT pin_hash, pin_salt, pin_params, failed_tries, locked_until FROM lock_state WHERE id = 1');
    this.#writePin = db.prepare('UPDATE lock_state SET pin_hash = ?, pin_salt = ?, pin_params = ?, failed_tries = 0, locked_until = 0 WHERE id = 1');
    this.#writeCounters = db.prepare('UPDATE lock_state SET failed_tries = ?, locked_until = ? WHERE id = 1');
  }

  status(): LockStatus {
    const row = this.#row();
    const lockedUntil = row.locked_until > this.#clock.now() ? row.locked_until : 0;
    return { hasPin: row.pin_hash !== null, failedTries: row.failed_tries, lockedUntil };
  }

  /** Sets the first PIN. Changing an existing one goes through changePin (which needs the current PIN). */
  setInitialPin(pin: string): Promise<SetPinResult> {
    return this.#serial(async () => {
      if (this.#stored() !== null) return { ok: false, code: 'PIN_ALREADY_SET' };
      return this.#store(pin);
    });
  }

  changePin(currentPin: string, nextPin: string): Promise<SetPinResult> {
    return this.#serial(async () => {
      const policy = checkPinPolicy(nextPin);
      if (!policy.ok) return policy;
      const attempt = await this.#attempt(currentPin);
      if (!attempt.ok) return attempt;
      return this.#store(nextPin);
    });
  }

  /** Checks a PIN against the lockout rules; see PinAttemptResult. */
  verify(pin: string): Promise<PinAttemptResult> {
    return this.#serial(() => this.#attempt(pin));
  }

  async #store(pin: string): Promise<SetPinResult> {
    const policy = checkPinPolicy(pin);
    if (!policy.ok) return policy;
    const hashed = await hashPin(pin, this.#hashParams);
    this.#writePin.run(hashed.hash, hashed.salt, JSON.stringify(hashed.params));
    return { ok: true };
  }

  async #attempt(pin: string): Promise<PinAttemptResult> {
    const stored = this.#stored();
    if (stored === null) return { ok: false, code: 'NO_PIN' };
    const row = this.#row();
    const now = this.#clock.now();
    if (row.locked_until > now) return { ok: false, code: 'LOCKED_OUT', until: row.locked_until };

    const tries = row.failed_tries + 1;
    const lockedUntil = tries < PIN_MAX_TRIES ? 0 : now + (tries === PIN_MAX_TRIES ? PIN_FIRST_LOCKOUT_MS : PIN_REPEAT_LOCKOUT_MS);
    this.#writeCounters.run(tries, lockedUntil);

    if (await pinMatches(pin, stored)) {
      this.#writeCounters.run(0, 0);
      return { ok: true };
    }
    if (lockedUntil > 0) return { ok: false, code: 'LOCKED_OUT', until: lockedUntil };
    return { ok: false, code: 'WRONG_PIN', triesLeft: this.#triesLeft(tries) };
  }

  #triesLeft(failedTries: number): number {
    return Math.max(0, PIN_MAX_TRIES - failedTries);
  }

  #row(): LockRow {
    return this.#read.get()!;
  }

  #stored(): PinHash | null {
    const row = this.#row();
    if (row.pin_hash === null || row.pin_salt === null || row.pin_params === null) return null;
    return {
      hash: new Uint8Array(row.pin_hash),
      salt: new Uint8Array(row.pin_salt),
      params: zPinHashParams.parse(JSON.parse(row.pin_params)),
    };
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(task, task);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}

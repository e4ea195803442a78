import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PIN_FIRST_LOCKOUT_MS, PIN_MAX_TRIES, PIN_REPEAT_LOCKOUT_MS } from '../../../shared/limits';
import { createStoreFixture, type StoreFixture } from '../store/store-fixture';
import { PIN_HASH_PARAMS } from './pin-hash';
import { PinLock } from './pin-lock';

let fx: StoreFixture;
let lock: PinLock;
beforeEach(() => {
  fx = createStoreFixture();
  lock = new PinLock(fx.store.db, fx.clock, { hashParams: CHEAP });
});
afterEach(() => fx.dispose());

const PIN = '48213';
// Cheap hashing keeps these tests fast; the production parameters are checked below.
const CHEAP = { ...PIN_HASH_PARAMS, N: 1024 };

describe('PinLock', () => {
  it('has no PIN at first and refuses weak ones', async () => {
    expect(lock.status()).toEqual({ hasPin: false, failedTries: 0, lockedUntil: 0 });
    expect(await lock.verify(PIN)).toEqual({ ok: false, code: 'NO_PIN' });
    expect(await lock.setInitialPin('12345')).toEqual({ ok: false, code: 'SEQUENTIAL' });
    expect(await lock.setInitialPin(PIN)).toEqual({ ok: true });
    expect(await lock.setInitialPin('73914')).toEqual({ ok: false, code: 'PIN_ALREADY_SET' });
    expect(await lock.verify(PIN)).toEqual({ ok: true });
  });

  it('stores only a salted slow hash of the PIN, with the production scrypt parameters by default', async () => {
    await new PinLock(fx.store.db, fx.clock).setInitialPin(PIN);
    const row = fx.store.db.prepare('SELECT pin_hash, pin_salt, pin_params FROM lock_state').get() as { pin_hash: Buffer; pin_salt: Buffer; pin_params: string };
    expect(row.pin_hash).toHaveLength(32);
    expect(row.pin_salt).toHaveLength(16);
    expect(JSON.parse(row.pin_params)).toMatchObject({ algorithm: 'scrypt', N: 32768, r: 8, p: 1 });
    expect(row.pin_hash.toString('latin1')).not.toContain(PIN);
  });

  it(`locks for the first lockout after ${PIN_MAX_TRIES} wrong tries, then for the repeat lockout after every further wrong try`, async () => {
    await lock.setInitialPin(PIN);
    expect(await lock.verify('11112')).toEqual({ ok: false, code: 'WRONG_PIN', triesLeft: 2 });
    expect(await lock.verify('11112')).toEqual({ ok: false, code: 'WRONG_PIN', triesLeft: 1 });
    const t0 = fx.clock.now();
    expect(await lock.verify('11112')).toEqual({ ok: false, code: 'LOCKED_OUT', until: t0 + PIN_FIRST_LOCKOUT_MS });
    // While locked out even the right PIN is not checked.
    expect(await lock.verify(PIN)).toEqual({ ok: false, code: 'LOCKED_OUT', until: t0 + PIN_FIRST_LOCKOUT_MS });
    fx.clock.advance(PIN_FIRST_LOCKOUT_MS - 1);
    expect(lock.status().lockedUntil).toBe(t0 + PIN_FIRST_LOCKOUT_MS);
    fx.clock.advance(1);
    expect(lock.status().lockedUntil).toBe(0);
    const t1 = fx.clock.now();
    expect(await lock.verify('11112')).toEqual({ ok: false, code: 'LOCKED_OUT', until: t1 + PIN_REPEAT_LOCKOUT_MS });
    fx.clock.advance(PIN_REPEAT_LOCKOUT_MS);
    const t2 = fx.clock.now();
    expect(await lock.verify('11112')).toEqual({ ok: false, code: 'LOCKED_OUT', until: t2 + PIN_REPEAT_LOCKOUT_MS });
    fx.clock.advance(PIN_REPEAT_LOCKOUT_MS);
    expect(await lock.verify(PIN)).toEqual({ ok: true });
    expect(lock.status()).toEqual({ hasPin: true, failedTries: 0, lockedUntil: 0 });
    expect(await lock.verify('11112')).toEqual({ ok: false, code: 'WRONG_PIN', triesLeft: 2 });
  });

  it('a correct PIN resets the counter', async () => {
    await lock.setInitialPin(PIN);
    await lock.verify('11112');
    await lock.verify('11112');
    expect(await lock.verify(PIN)).toEqual({ ok: true });
    expect(await lock.verify('11112')).toEqual({ ok: false, code: 'WRONG_PIN', triesLeft: 2 });
  });

  it('keeps the counter and the lockout across a restart', async () => {
    await lock.setInitialPin(PIN);
    await lock.verify('11112');
    await lock.verify('11112');
    let reopened = new PinLock(fx.reopen().db, fx.clock, { hashParams: CHEAP });
    expect(reopened.status().failedTries).toBe(2);
    const result = await reopened.verify('11112');
    expect(result).toMatchObject({ code: 'LOCKED_OUT' });
    reopened = new PinLock(fx.reopen().db, fx.clock, { hashParams: CHEAP });
    expect(await reopened.verify(PIN)).toEqual(result);
  });

  it('serialises parallel tries: a burst cannot get more than the allowed wrong guesses checked', async () => {
    await lock.setInitialPin(PIN);
    const results = await Promise.all(['11112', '11113', '11114', '11115', PIN].map((p) => lock.verify(p)));
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['WRONG_PIN', 'WRONG_PIN', 'LOCKED_OUT', 'LOCKED_OUT', 'LOCKED_OUT']);
  });

  it('changes the PIN only with the current one, and counts a wrong current PIN as a try', async () => {
    await lock.setInitialPin(PIN);
    expect(await lock.changePin('11112', '73914')).toEqual({ ok: false, code: 'WRONG_PIN', triesLeft: 2 });
    expect(await lock.changePin(PIN, '22222')).toEqual({ ok: false, code: 'REPEATED' });
    expect(await lock.changePin(PIN, '73914')).toEqual({ ok: true });
    expect(await lock.verify(PIN)).toMatchObject({ code: 'WRONG_PIN' });
    expect(await lock.verify('73914')).toEqual({ ok: true });
  });
});

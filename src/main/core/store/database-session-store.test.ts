import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountId, DeviceId, EnvelopeId } from '../../../shared/protocol/ids';
import { DatabaseSessionStore } from './database-session-store';
import { createStoreFixture, type StoreFixture } from './store-fixture';

let fx: StoreFixture;
let sessions: DatabaseSessionStore;
beforeEach(() => {
  fx = createStoreFixture();
  sessions = new DatabaseSessionStore(fx.store.db, fx.clock);
});
afterEach(() => fx.dispose());

const peer = { accountId: 'a'.repeat(32) as AccountId, deviceId: 'd'.repeat(32) as DeviceId };
const envelope = (n: number) => n.toString(16).padStart(32, '0') as EnvelopeId;
const bytes = (...b: number[]) => new Uint8Array(b);

describe('DatabaseSessionStore', () => {
  it('saves, loads and deletes session records', () => {
    expect(sessions.loadSession(peer)).toBeUndefined();
    sessions.saveSession(peer, bytes(1, 2));
    sessions.saveSession(peer, bytes(3));
    expect(sessions.loadSession(peer)).toEqual(bytes(3));
    sessions.deleteSession(peer);
    expect(sessions.loadSession(peer)).toBeUndefined();
  });

  it('keeps prekey secrets', () => {
    sessions.addSignedPrekey({ id: 1, secretKey: bytes(9) });
    sessions.addOneTimePrekeys([{ id: 5, secretKey: bytes(5) }, { id: 6, secretKey: bytes(6) }]);
    expect(sessions.loadSignedPrekey(1)).toEqual(bytes(9));
    expect(sessions.loadOneTimePrekey(6)).toEqual(bytes(6));
    expect(sessions.oneTimePrekeyCount).toBe(2);
    sessions.removeSignedPrekey(1);
    expect(sessions.loadSignedPrekey(1)).toBeUndefined();
  });

  it('commits a decrypt at once: new record, one-time prekey used up, envelope id seen until it expires', () => {
    sessions.addOneTimePrekeys([{ id: 5, secretKey: bytes(5) }]);
    const expiresAt = fx.clock.now() + 1000;
    expect(sessions.hasSeenEnvelope(envelope(1))).toBe(false);
    sessions.commitReceived({ peer, record: bytes(7), envelopeId: envelope(1), expiresAt, consumedOneTimePrekeyId: 5 });
    expect(sessions.loadSession(peer)).toEqual(bytes(7));
    expect(sessions.loadOneTimePrekey(5)).toBeUndefined();
    expect(sessions.hasSeenEnvelope(envelope(1))).toBe(true);
    fx.clock.advance(1001);
    expect(sessions.hasSeenEnvelope(envelope(1))).toBe(false);
  });

  it('survives a restart of the app', () => {
    sessions.addSignedPrekey({ id: 1, secretKey: bytes(9) });
    sessions.commitReceived({ peer, record: bytes(7), envelopeId: envelope(1), expiresAt: fx.clock.now() + 1000 });
    const reopened = new DatabaseSessionStore(fx.reopen().db, fx.clock);
    expect(reopened.loadSession(peer)).toEqual(bytes(7));
    expect(reopened.loadSignedPrekey(1)).toEqual(bytes(9));
    expect(reopened.hasSeenEnvelope(envelope(1))).toBe(true);
  });

  it('forgets expired and then the oldest envelope ids past its cap', () => {
    const capped = new DatabaseSessionStore(fx.store.db, fx.clock, { maxSeenEnvelopes: 3 });
    const now = fx.clock.now();
    capped.commitReceived({ peer, record: bytes(1), envelopeId: envelope(1), expiresAt: now - 1 });
    for (let i = 2; i <= 5; i++) {
      fx.clock.advance(1);
      capped.commitReceived({ peer, record: bytes(i), envelopeId: envelope(i), expiresAt: now + 10_000 });
    }
    expect(capped.seenEnvelopeCount).toBe(3);
    expect([2, 3, 4, 5].map((i) => capped.hasSeenEnvelope(envelope(i)))).toEqual([false, true, true, true]);
  });
});

import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { HOUR_MS } from '../limits';
import type { AccountId, DeviceId, EnvelopeId } from './ids';
import { InMemorySessionStore } from './session-store';

const peer = { accountId: 'a'.repeat(32) as AccountId, deviceId: 'd'.repeat(32) as DeviceId };
const envelopeId = (i: number) => i.toString(16).padStart(32, '0') as EnvelopeId;

describe('InMemorySessionStore', () => {
  it('commits a received message in one step: session, consumed prekey, seen id', () => {
    const clock = new FakeClock();
    const store = new InMemorySessionStore({ clock });
    store.addOneTimePrekeys([{ id: 4, secretKey: new Uint8Array(32).fill(1) }]);
    store.commitReceived({ peer, record: new Uint8Array([1]), envelopeId: envelopeId(1), expiresAt: clock.now() + HOUR_MS, consumedOneTimePrekeyId: 4 });
    expect(store.loadSession(peer)).toEqual(new Uint8Array([1]));
    expect(store.loadOneTimePrekey(4)).toBeUndefined();
    expect(store.hasSeenEnvelope(envelopeId(1))).toBe(true);
    expect(store.hasSeenEnvelope(envelopeId(2))).toBe(false);
  });

  it('forgets envelope ids once expired and stays within its cap', () => {
    const clock = new FakeClock();
    const store = new InMemorySessionStore({ clock, maxSeenEnvelopes: 10 });
    for (let i = 0; i < 8; i++) store.commitReceived({ peer, record: new Uint8Array([i]), envelopeId: envelopeId(i), expiresAt: clock.now() + HOUR_MS });
    clock.advance(HOUR_MS + 1);
    expect(store.hasSeenEnvelope(envelopeId(0))).toBe(false);
    for (let i = 8; i < 30; i++) store.commitReceived({ peer, record: new Uint8Array([i]), envelopeId: envelopeId(i), expiresAt: clock.now() + HOUR_MS });
    expect(store.seenEnvelopeCount).toBeLessThanOrEqual(10);
    expect(store.hasSeenEnvelope(envelopeId(29))).toBe(true);
    expect(store.hasSeenEnvelope(envelopeId(8))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { FakeClock } from '../shared/clock';
import { HOUR_MS } from '../shared/limits';
import type { AccountId, DeviceId, EnvelopeId } from '../shared/protocol/ids';
import { PhoneSessionStore } from './phone-session-store';

const peer = { accountId: 'a'.repeat(32) as AccountId, deviceId: 'd'.repeat(32) as DeviceId };
const envelopeId = '1'.repeat(32) as EnvelopeId;

describe('PhoneSessionStore', () => {
  it('reports every change so the phone can persist, and restores from the persisted snapshot', () => {
    const clock = new FakeClock();
    const store = new PhoneSessionStore(undefined, clock);
    let changes = 0;
    store.onChange = () => changes++;
    store.addSignedPrekey({ id: 1, secretKey: new Uint8Array(32).fill(1) });
    store.addOneTimePrekeys([{ id: 2, secretKey: new Uint8Array(32).fill(2) }]);
    store.saveSession(peer, new Uint8Array([1]));
    store.commitReceived({ peer, record: new Uint8Array([2]), envelopeId, expiresAt: clock.now() + HOUR_MS, consumedOneTimePrekeyId: 2 });
    store.deleteSession(peer);
    store.saveSession(peer, new Uint8Array([3]));
    expect(changes).toBe(6);
    // Reads change nothing.
    store.loadSession(peer);
    store.hasSeenEnvelope(envelopeId);
    expect(changes).toBe(6);

    const restored = new PhoneSessionStore(store.snapshot(), clock);
    expect(restored.loadSession(peer)).toEqual(new Uint8Array([3]));
    expect(restored.loadSignedPrekey(1)).toEqual(new Uint8Array(32).fill(1));
    expect(restored.loadOneTimePrekey(2)).toBeUndefined();
    expect(restored.oneTimePrekeyCount).toBe(0);
    expect(restored.hasSeenEnvelope(envelopeId)).toBe(true);
    clock.advance(HOUR_MS + 1);
    expect(restored.hasSeenEnvelope(envelopeId)).toBe(false);
  });
});

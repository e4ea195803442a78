import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { createTestAccount } from '../../../shared/protocol/test-accounts';
import { InMemorySessionStore } from '../../../shared/protocol/session-store';
import { SessionCipher } from '../../../shared/protocol/session-cipher';
import { createCoreLogger } from '../logging';
import { DeviceDirectory } from '../messaging/device-directory';
import { MessagingService } from '../messaging/messaging-service';
import { createStoreFixture, type StoreFixture } from '../store/store-fixture';
import { requireAcknowledgedSafetyNumber } from './safety-number-guard';

let fx: StoreFixture;
beforeEach(() => {
  fx = createStoreFixture();
});
afterEach(() => fx.dispose());

const PEER = 'b'.repeat(32);
const keyA = ed25519.keygen().publicKey;
const keyB = ed25519.keygen().publicKey;

function rekeyedPeer(): string {
  fx.store.contacts.upsert({ accountId: PEER, displayName: 'Dr. B', identityKey: keyA });
  expect(fx.store.contacts.upsert({ accountId: PEER, displayName: 'Dr. B', identityKey: keyB }).identityKeyChanged).toBe(true);
  return fx.store.conversations.ensureDirect(PEER).id;
}

function messaging(): MessagingService {
  const me = createTestAccount(['desktop'], { clock: fx.clock });
  const device = me.devices[0]!;
  const cipher = new SessionCipher({ accountId: me.accountId, device: device.keys, certificate: device.certificateBytes, store: new InMemorySessionStore({ clock: fx.clock }), clock: fx.clock });
  const directory = new DeviceDirectory({ getDeviceList: () => Promise.resolve(null) }, { pinned: () => undefined, changed: () => undefined }, { accountId: me.accountId, identityKey: me.identity.identity.publicKey, list: me.list });
  return new MessagingService({
    store: fx.store,
    cipher,
    directory,
    relay: () => null,
    self: () => ({ accountId: me.accountId, displayName: 'Me' }),
    log: createCoreLogger({ level: 'silent' }),
    events: { messageAdded: () => undefined, messageUpdated: () => undefined, conversationsChanged: () => undefined, ownProfile: () => undefined },
  });
}

describe('blocking silent re-keying', () => {
  it('refuses to send to a contact whose identity key changed until the user acknowledges', async () => {
    const conversationId = rekeyedPeer();
    const service = messaging();
    await expect(service.sendText(conversationId, 'lab results for bed 4')).rejects.toMatchObject({ code: 'SAFETY_NUMBER_CHANGED' });
    // Refused before anything was stored or sent.
    expect(fx.store.messages.page(conversationId, { limit: 10, older: null }).messages).toEqual([]);

    fx.store.contacts.acknowledgeSafetyNumberChange(PEER);
    const sent = await service.sendText(conversationId, 'lab results for bed 4');
    // Past the guard: with no relay in this test the fan-out itself fails.
    expect(sent.state).toBe('failed');
  });

  it('lets an unchanged or unknown contact through', () => {
    fx.store.contacts.upsert({ accountId: PEER, displayName: 'Dr. B', identityKey: keyA });
    fx.store.contacts.upsert({ accountId: PEER, displayName: 'Dr. B', identityKey: keyA });
    expect(() => requireAcknowledgedSafetyNumber(fx.store.contacts, PEER)).not.toThrow();
    expect(() => requireAcknowledgedSafetyNumber(fx.store.contacts, 'c'.repeat(32))).not.toThrow();
  });
});

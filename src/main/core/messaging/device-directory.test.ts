import { describe, expect, it } from 'vitest';
import { signDeviceList, verifyDeviceList } from '../../../shared/protocol/device-list';
import type { AccountId } from '../../../shared/protocol/ids';
import { createTestAccount } from '../../../shared/protocol/test-accounts';
import { DeviceDirectory } from './device-directory';

function relayWith(lists: Map<AccountId, Uint8Array>) {
  return { getDeviceList: (a: AccountId) => Promise.resolve(lists.get(a) ?? null) };
}

describe('DeviceDirectory', () => {
  it('pins our own identity: a list for our account signed by another identity is refused', async () => {
    const me = createTestAccount(['phone', 'desktop']);
    const impostor = createTestAccount(['phone']);
    const lists = new Map<AccountId, Uint8Array>();
    const dir = new DeviceDirectory(relayWith(lists), { pinned: () => undefined, changed: () => undefined }, {
      accountId: me.accountId,
      identityKey: me.identity.identity.publicKey,
      list: me.list,
    });
    // Same account id claimed with another key cannot even verify (the id is the key's hash) …
    lists.set(me.accountId, impostor.list.encoded);
    const refused = await dir.get(me.accountId, { refresh: true }).then(
      () => null,
      (e: unknown) => (e as { code?: string }).code,
    );
    expect(['IDENTITY_MISMATCH', 'BAD_CERTIFICATE']).toContain(refused);
    // … and a rollback to an older version of our own list is refused too.
    const newer = signDeviceList(me.identity, 5, me.devices.map((d) => d.certificateBytes), 0);
    lists.set(me.accountId, newer);
    expect((await dir.get(me.accountId, { refresh: true })).version).toBe(5);
    lists.set(me.accountId, signDeviceList(me.identity, 4, [me.devices[0]!.certificateBytes], 0));
    await expect(dir.get(me.accountId, { refresh: true })).rejects.toMatchObject({ code: 'STALE_DEVICE_LIST' });
    expect(dir.cached(me.accountId)?.version).toBe(5);
  });

  it('reports a contact first seen and a contact whose identity key changed', async () => {
    const me = createTestAccount(['desktop']);
    const peer = createTestAccount(['phone']);
    const lists = new Map<AccountId, Uint8Array>([[peer.accountId, peer.list.encoded]]);
    const pins = new Map<AccountId, Uint8Array>();
    const changed: AccountId[] = [];
    const dir = new DeviceDirectory(
      relayWith(lists),
      { pinned: (a) => pins.get(a), changed: (a, k) => (changed.push(a), pins.set(a, k)) },
      { accountId: me.accountId, identityKey: me.identity.identity.publicKey },
    );
    const list = await dir.get(peer.accountId);
    expect(list.devices).toHaveLength(1);
    expect(changed).toEqual([peer.accountId]);
    await dir.get(peer.accountId, { refresh: true });
    expect(changed).toHaveLength(1);
    await expect(dir.get(createTestAccount().accountId)).rejects.toMatchObject({ code: 'UNKNOWN_SENDER' });
  });

  it('refuses tampered list bytes', async () => {
    const me = createTestAccount(['desktop']);
    const peer = createTestAccount(['phone']);
    const bytes = peer.list.encoded.slice();
    bytes[bytes.length - 1]! ^= 1;
    expect(() => verifyDeviceList(bytes)).toThrow();
    const dir = new DeviceDirectory(relayWith(new Map([[peer.accountId, bytes]])), { pinned: () => undefined, changed: () => undefined }, {
      accountId: me.accountId,
      identityKey: me.identity.identity.publicKey,
    });
    await expect(dir.get(peer.accountId)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
  });
});

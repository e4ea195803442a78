import { describe, expect, it } from 'vitest';
import { issueDeviceCertificate } from '../shared/protocol/device-certificate';
import { signDeviceList } from '../shared/protocol/device-list';
import { createAccountIdentity, createDeviceKeys, type AccountIdentity } from '../shared/protocol/identity';
import type { RelayClient } from '../shared/wire/relay-client';
import { AccountDirectory } from './account-directory';
import type { KnownAccount } from './phone-state';
import { rejectedCode } from '../shared/testing/error-code';

function listFor(account: AccountIdentity, version: number): Uint8Array {
  const d = createDeviceKeys();
  const cert = issueDeviceCertificate(account, { deviceId: d.deviceId, signingKey: d.signing.publicKey, dhKey: d.dh.publicKey }, 'phone', 'P', 1);
  return signDeviceList(account, version, [cert], 1);
}

/** Only getDeviceList is used by the directory. */
const relayServing = (bytes: Uint8Array | null) => ({ getDeviceList: () => Promise.resolve(bytes) }) as unknown as RelayClient;

const codeOf = (p: Promise<unknown>) => rejectedCode(p, { whenNone: 'OK' });

describe('account directory', () => {
  it('pins the first identity, follows newer versions and refuses older or foreign lists', async () => {
    const known: Record<string, KnownAccount> = {};
    const dir = new AccountDirectory(known, () => undefined);
    const alice = createAccountIdentity();
    const mallory = createAccountIdentity();
    expect((await dir.refresh(relayServing(listFor(alice, 2)), alice.accountId)).version).toBe(2);
    expect(known[alice.accountId]?.version).toBe(2);
    expect((await dir.refresh(relayServing(listFor(alice, 5)), alice.accountId)).version).toBe(5);
    expect(await codeOf(dir.refresh(relayServing(listFor(alice, 3)), alice.accountId))).toBe('STALE_DEVICE_LIST');
    // A list for another account served under Alice's id is refused whether or not she is pinned.
    expect(await codeOf(dir.refresh(relayServing(listFor(mallory, 9)), alice.accountId))).toBe('IDENTITY_MISMATCH');
    const fresh = new AccountDirectory({}, () => undefined);
    expect(await codeOf(fresh.refresh(relayServing(listFor(mallory, 9)), alice.accountId))).toBe('IDENTITY_MISMATCH');
    expect(await codeOf(fresh.refresh(relayServing(null), alice.accountId))).toBe('UNKNOWN_SENDER');
    expect(dir.cached(alice.accountId)?.version).toBe(5);
  });
});

/**
 * Ready-made accounts for tests (here, in the apps and in e2e): each device has keys, a
 * certificate in a signed device list, an in-memory store with prekeys and a SessionCipher.
 * `nextBundle()` hands out one-time prekeys once each, as the relay does.
 */
import type { Clock } from '../clock';
import { createCertifiedDevice, type DeviceCertificate, type DeviceKind } from './device-certificate';
import { signDeviceList, verifyDeviceList, type DeviceList } from './device-list';
import type { RandomSource } from './diffie-hellman';
import type { AccountId } from './ids';
import { createAccountIdentity, type AccountIdentity, type DeviceKeys } from './identity';
import { createOneTimePrekeys, createSignedPrekey, type OneTimePrekey, type PrekeyBundle } from './prekeys';
import { SessionCipher } from './session-cipher';
import { InMemorySessionStore } from './session-store';

export interface TestDevice {
  readonly accountId: AccountId;
  readonly keys: DeviceKeys;
  readonly certificateBytes: Uint8Array;
  readonly certificate: DeviceCertificate;
  readonly store: InMemorySessionStore;
  readonly cipher: SessionCipher;
  /** A bundle with the next unused one-time prekey (none once they run out). */
  nextBundle(): PrekeyBundle;
}

export interface TestAccount {
  readonly identity: AccountIdentity;
  readonly accountId: AccountId;
  readonly devices: readonly TestDevice[];
  readonly list: DeviceList;
}

export function createTestAccount(
  kinds: readonly DeviceKind[] = ['phone'],
  options: { clock?: Clock; random?: RandomSource; oneTimePrekeys?: number } = {},
): TestAccount {
  const identity = createAccountIdentity();
  const issuedAt = options.clock?.now() ?? 0;
  const made = kinds.map((kind, i) => {
    const { keys, certificate: certificateBytes } = createCertifiedDevice(identity, kind, `${kind} ${i + 1}`, issuedAt);
    return { keys, certificateBytes };
  });
  const list = verifyDeviceList(signDeviceList(identity, 1, made.map((m) => m.certificateBytes), issuedAt));
  const devices = made.map(({ keys, certificateBytes }, i): TestDevice => {
    const store = new InMemorySessionStore(options.clock ? { clock: options.clock } : {});
    const spk = createSignedPrekey(keys, 1, issuedAt);
    store.addSignedPrekey(spk.secret);
    const otp = createOneTimePrekeys(1, options.oneTimePrekeys ?? 20);
    store.addOneTimePrekeys(otp.secrets);
    const unused: OneTimePrekey[] = [...otp.published];
    const cipher = new SessionCipher({
      accountId: identity.accountId,
      device: keys,
      certificate: certificateBytes,
      store,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    return {
      accountId: identity.accountId,
      keys,
      certificateBytes,
      certificate: list.devices[i]!,
      store,
      cipher,
      nextBundle() {
        const oneTimePrekey = unused.shift();
        return { accountId: identity.accountId, deviceId: keys.deviceId, signedPrekey: spk.published, ...(oneTimePrekey ? { oneTimePrekey } : {}) };
      },
    };
  });
  return { identity, accountId: identity.accountId, devices, list };
}

/** A sender resolver over a fixed set of accounts, as the relay directory would answer. */
export function directoryOf(...accounts: readonly TestAccount[]): (id: AccountId) => DeviceList | undefined {
  return (id) => accounts.find((a) => a.accountId === id)?.list;
}

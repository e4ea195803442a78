/**
 * The phone's account: creating it, rebuilding its keys from the state file, signing its device
 * list, and publishing what others need to reach it (device list, prekeys, profile).
 */
import type { Clock } from '../shared/clock';
import { ONE_TIME_PREKEY_BATCH } from '../shared/limits';
import { signProfileAttestation, PROFILE_ATTESTATION_NAME, type Profile } from '../shared/messages/profile';
import { createCertifiedDevice } from '../shared/protocol/device-certificate';
import { MAX_DEVICES_PER_ACCOUNT, signDeviceList } from '../shared/protocol/device-list';
import { accountIdFromIdentityKey } from '../shared/protocol/ids';
import { createAccountIdentity, restoreEd25519, restoreX25519, type AccountIdentity, type DeviceKeys } from '../shared/protocol/identity';
import { createOneTimePrekeys, createSignedPrekey } from '../shared/protocol/prekeys';
import type { RelayClient } from '../shared/wire/relay-client';
import { PhoneError } from './phone-error';
import type { PhoneSessionStore } from './phone-session-store';
import type { PhoneState } from './phone-state';

export function createPhoneState(relayUrl: string, profile: Profile, clock: Clock): PhoneState {
  return newPhoneState(createAccountIdentity(), relayUrl, profile, clock);
}

/** What a restored phone carries over from its backup into the new state. */
export type CarriedPhoneState = Partial<Pick<PhoneState, 'deviceListVersion' | 'knownAccounts' | 'contacts' | 'history'>>;

/** A state for `account` on a new phone device with no desktops, sessions or prekeys yet. */
export function newPhoneState(account: AccountIdentity, relayUrl: string, profile: Profile, clock: Clock, carried: CarriedPhoneState = {}): PhoneState {
  const { keys: device, certificate } = createCertifiedDevice(account, 'phone', 'Phone', clock.now());
  return {
    relayUrl,
    profile,
    identitySecret: account.identity.secretKey.bytes,
    device: { deviceId: device.deviceId, signingSecret: device.signing.secretKey.bytes, dhSecret: device.dh.secretKey.bytes, certificate },
    deviceListVersion: carried.deviceListVersion ?? 1,
    otherDevices: {},
    desktops: [],
    databaseKeys: {},
    nextSignedPrekeyId: 1,
    nextOneTimePrekeyId: 1,
    sessions: { sessions: {}, signedPrekeys: {}, oneTimePrekeys: {}, seen: {} },
    knownAccounts: carried.knownAccounts ?? {},
    contacts: carried.contacts ?? {},
    history: carried.history ?? [],
  };
}

export function accountOf(state: PhoneState): AccountIdentity {
  const identity = restoreEd25519(state.identitySecret);
  return { accountId: accountIdFromIdentityKey(identity.publicKey), identity };
}

export function deviceKeysOf(state: PhoneState): DeviceKeys {
  return { deviceId: state.device.deviceId, signing: restoreEd25519(state.device.signingSecret), dh: restoreX25519(state.device.dhSecret) };
}

/** Signs the list of the phone plus its linked desktops at the state's current version. */
export function signOwnDeviceList(state: PhoneState, account: AccountIdentity, clock: Clock): Uint8Array {
  const certs = [state.device.certificate, ...Object.values(state.otherDevices)];
  if (certs.length > MAX_DEVICES_PER_ACCOUNT) throw new PhoneError('TOO_MANY_DEVICES', 'device list is full');
  return signDeviceList(account, state.deviceListVersion, certs, clock.now());
}

/** Signed prekey, a batch of one-time prekeys and the profile; the device list is published separately. */
export async function publishReachability(client: RelayClient, state: PhoneState, store: PhoneSessionStore, clock: Clock): Promise<void> {
  const device = deviceKeysOf(state);
  const signed = createSignedPrekey(device, state.nextSignedPrekeyId++, clock.now());
  store.addSignedPrekey(signed.secret);
  await client.putSignedPrekey(signed.published);
  await topUpOneTimePrekeys(client, state, store);
  await client.putAttestation(PROFILE_ATTESTATION_NAME, signProfileAttestation(accountOf(state), state.profile, clock.now()));
}

/** Uploads a fresh batch when the relay holds fewer than half a batch. */
export async function topUpOneTimePrekeys(client: RelayClient, state: PhoneState, store: PhoneSessionStore): Promise<void> {
  const held = await client.countOneTimePrekeys();
  if (held >= ONE_TIME_PREKEY_BATCH / 2) return;
  const batch = createOneTimePrekeys(state.nextOneTimePrekeyId, ONE_TIME_PREKEY_BATCH);
  state.nextOneTimePrekeyId = (state.nextOneTimePrekeyId + ONE_TIME_PREKEY_BATCH) % 0x1_0000_0000;
  store.addOneTimePrekeys(batch.secrets);
  await client.putOneTimePrekeys(batch.published);
}

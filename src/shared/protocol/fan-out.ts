/**
 * Multi-device fan-out: a message to people goes to every certified device of every recipient
 * account and to every other device of the sender's own account (so the phone sees what the
 * desktop sent). Exactly the devices in the verified device lists, nothing the relay adds.
 */
import { ProtocolError } from '../errors';
import type { DeviceCertificate } from './device-certificate';
import type { DeviceList } from './device-list';
import { newEnvelopeId, type AccountId, type DeviceId, type EnvelopeId } from './ids';
import type { PrekeyBundle } from './prekeys';
import type { EncryptOptions, SessionCipher } from './session-cipher';

export interface FanOutTarget {
  readonly accountId: AccountId;
  readonly certificate: DeviceCertificate;
}

export interface FanOutEnvelope {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly envelopeId: EnvelopeId;
  /** Encoded SealedEnvelope, ready for the relay. */
  readonly bytes: Uint8Array;
}

export interface FanOutResult {
  readonly envelopes: readonly FanOutEnvelope[];
  /** Devices with no session and no bundle given: fetch their bundles and send to them again. */
  readonly needBundle: readonly FanOutTarget[];
}

/** Every device to send to, each once: recipients' devices, then own devices except the sender. */
export function fanOutTargets(recipients: readonly DeviceList[], own: DeviceList, senderDeviceId: DeviceId): FanOutTarget[] {
  if (!own.devices.some((d) => d.deviceId === senderDeviceId)) {
    throw new ProtocolError('UNKNOWN_SENDER', 'the sending device is not in its own device list');
  }
  const seen = new Set<string>();
  const targets: FanOutTarget[] = [];
  for (const list of [...recipients, own]) {
    for (const certificate of list.devices) {
      const key = `${list.accountId}/${certificate.deviceId}`;
      if (certificate.deviceId === senderDeviceId || seen.has(key)) continue;
      seen.add(key);
      targets.push({ accountId: list.accountId, certificate });
    }
  }
  return targets;
}

/** The targets encrypt() cannot reach without a prekey bundle (ask the relay for these first). */
export async function devicesNeedingBundles(cipher: SessionCipher, recipients: readonly DeviceList[], own: DeviceList): Promise<FanOutTarget[]> {
  const out: FanOutTarget[] = [];
  for (const t of fanOutTargets(recipients, own, cipher.deviceId)) {
    if (!(await cipher.hasSession({ accountId: t.accountId, deviceId: t.certificate.deviceId, dhKey: t.certificate.dhKey }))) out.push(t);
  }
  return out;
}

export async function fanOut(
  cipher: SessionCipher,
  lists: { readonly recipients: readonly DeviceList[]; readonly own: DeviceList },
  plaintext: Uint8Array,
  options: EncryptOptions & { readonly bundles?: ReadonlyMap<DeviceId, PrekeyBundle> } = {},
): Promise<FanOutResult> {
  if (lists.own.accountId !== cipher.accountId) throw new ProtocolError('IDENTITY_MISMATCH', 'own device list is for another account');
  const envelopes: FanOutEnvelope[] = [];
  const needBundle: FanOutTarget[] = [];
  const expiresAt = options.expiresAt;
  for (const t of fanOutTargets(lists.recipients, lists.own, cipher.deviceId)) {
    const { deviceId, dhKey } = t.certificate;
    const bundle = options.bundles?.get(deviceId);
    if (!bundle && !(await cipher.hasSession({ accountId: t.accountId, deviceId, dhKey }))) {
      needBundle.push(t);
      continue;
    }
    const envelopeId = newEnvelopeId();
    const bytes = await cipher.encrypt(
      { accountId: t.accountId, certificate: t.certificate, ...(bundle ? { bundle } : {}) },
      plaintext,
      { envelopeId, ...(expiresAt !== undefined ? { expiresAt } : {}) },
    );
    envelopes.push({ accountId: t.accountId, deviceId, envelopeId, bytes });
  }
  return { envelopes, needBundle };
}

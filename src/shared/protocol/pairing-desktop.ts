/** The desktop's side of the pairing handshake (protocol: pairing-keys.ts, pairing-messages.ts, docs/protocol.md §14). */
import { randomBytes } from '@noble/hashes/utils.js';
import { concatBytes, constantTimeEqual, copyBytes, wipe } from '../bytes';
import { systemClock, type Clock } from '../clock';
import { ProtocolError } from '../errors';
import { PAIRING_APPROVAL_TIMEOUT_MS, PAIRING_STEP_TIMEOUT_MS } from '../limits';
import { decodePairingSnapshot, type PairingSnapshot } from '../messages/pairing-snapshot';
import { profileFromWire, type Profile } from '../messages/profile';
import type { Timers } from '../wire/timers';
import { decodeCbor } from './codec';
import { verifyDeviceCertificate, type DeviceCertificate } from './device-certificate';
import { findDevice, verifyDeviceList, type DeviceList } from './device-list';
import { accountIdFromIdentityKey, type AccountId } from './ids';
import { createDeviceKeys, SecretKey, type DeviceKeys } from './identity';
import { ChannelReader, PairingError, type PairingChannel } from './pairing-channel';
import { derivePairingKeys, pairingTranscript, PairingDirection, purgePairingKeys } from './pairing-keys';
import { DATABASE_KEY_BYTES, decodePairingMessage, encodePairingMessage, zHello } from './pairing-messages';
import { encodePairingOffer, type DesktopPairingOffer } from './pairing-offer';

export interface DesktopInfo {
  /** Stable random id of this workstation (32 hex chars); not secret. The phone files the database key under it. */
  readonly workstationId: string;
  /** Shown on the phone before the user approves ("Ward 4 nursing station"). */
  readonly name: string;
}

export interface DesktopPairingOptions {
  /** Called once the phone has joined: show this code next to the QR code. */
  readonly onConfirmationCode?: (code: string) => void;
  /** Fresh keys for the new device; created here unless given (tests). */
  readonly deviceKeys?: DeviceKeys;
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly stepTimeoutMs?: number;
  readonly approvalTimeoutMs?: number;
}

export interface DesktopPairingResult {
  readonly accountId: AccountId;
  /** The account identity key to pin; every later device list and wipe command must verify under it. */
  readonly identityKey: Uint8Array;
  readonly profile: Profile;
  readonly deviceKeys: DeviceKeys;
  readonly certificate: DeviceCertificate;
  readonly certificateBytes: Uint8Array;
  readonly deviceList: DeviceList;
  /** The key of this account's database on this workstation. */
  readonly databaseKey: SecretKey;
  /** True when the phone handed back the key of an earlier pairing (open the existing database). */
  readonly databaseKeyReused: boolean;
  readonly snapshot: PairingSnapshot;
  readonly confirmationCode: string;
  /** The account's Backup & Restore code when the phone shared it: hold in memory only, never store. */
  readonly backupCode?: string;
}

/**
 * Waits for a phone on `channel` (already joined to offer.channelId), proves the desktop holds
 * the offer's ephemeral key, and returns what the phone sent once its user approved.
 * Throws PairingError (REJECTED, TIMEOUT, CHANNEL_CLOSED) or ProtocolError (EXPIRED, DECRYPT_FAILED,
 * REPLAY, MALFORMED, BAD_SIGNATURE, BAD_CERTIFICATE, ...). Always closes the channel; on failure
 * every key it made is purged. The caller purges the offer.
 */
export async function runDesktopPairing(
  channel: PairingChannel,
  offer: DesktopPairingOffer,
  desktop: DesktopInfo,
  options: DesktopPairingOptions = {},
): Promise<DesktopPairingResult> {
  const clock = options.clock ?? systemClock;
  const step = options.stepTimeoutMs ?? PAIRING_STEP_TIMEOUT_MS;
  const reader = new ChannelReader(channel, options.timers);
  const deviceKeys = options.deviceKeys ?? createDeviceKeys();
  let databaseKey: SecretKey | null = null;
  let succeeded = false;
  try {
    const helloBytes = await reader.next(offer.offer.expiresAt - clock.now());
    if (clock.now() >= offer.offer.expiresAt) throw new ProtocolError('EXPIRED', 'pairing offer expired before the phone joined');
    const hello = decodeCbor(helloBytes, zHello, 'pairing hello');
    const transcript = pairingTranscript(encodePairingOffer(offer.offer), hello.e);
    const keys = derivePairingKeys(offer.ephemeral.secretKey.bytes, hello.e, offer.offer.secret, transcript);
    try {
      const fromPhone = new PairingDirection(keys.phoneToDesktop, transcript);
      const toPhone = new PairingDirection(keys.desktopToPhone, transcript);
      // Key confirmation: a joiner without the QR secret is refused before it learns anything.
      decodePairingMessage(fromPhone.openRaw(hello.p.n, hello.p.c), ['hello']);

      // Shown before the phone can possibly display it, so the user never sees a code on the phone alone.
      options.onConfirmationCode?.(keys.confirmationCode);
      await channel.send(
        toPhone.seal(
          encodePairingMessage({
            t: 'desktop',
            w: desktop.workstationId,
            n: desktop.name,
            d: deviceKeys.deviceId,
            sk: deviceKeys.signing.publicKey,
            dk: deviceKeys.dh.publicKey,
          }),
        ),
      );

      const answer = decodePairingMessage(fromPhone.open(await reader.next((options.approvalTimeoutMs ?? PAIRING_APPROVAL_TIMEOUT_MS) + step)), [
        'accept',
        'reject',
      ]);
      if (answer.t === 'reject') throw new PairingError('REJECTED', 'the phone user declined the pairing');

      const accountId = accountIdFromIdentityKey(answer.ik);
      const certificate = verifyDeviceCertificate(answer.c, answer.ik, accountId);
      if (
        certificate.deviceId !== deviceKeys.deviceId ||
        certificate.kind !== 'desktop' ||
        !constantTimeEqual(certificate.signingKey, deviceKeys.signing.publicKey) ||
        !constantTimeEqual(certificate.dhKey, deviceKeys.dh.publicKey)
      ) {
        throw new ProtocolError('BAD_CERTIFICATE', 'pairing: certificate is not for this desktop');
      }
      const deviceList = verifyDeviceList(answer.l, { identityKey: answer.ik });
      const listed = findDevice(deviceList, deviceKeys.deviceId);
      if (!listed || !constantTimeEqual(listed.signingKey, certificate.signingKey) || !constantTimeEqual(listed.dhKey, certificate.dhKey)) {
        throw new ProtocolError('BAD_CERTIFICATE', 'pairing: this desktop is not in the device list');
      }

      const chunks: Uint8Array[] = [];
      for (let i = 0; i < answer.s; i++) chunks.push(decodePairingMessage(fromPhone.open(await reader.next(step)), ['snap']).b);
      const snapshot = decodePairingSnapshot(concatBytes(...chunks));

      const reused = answer.k !== undefined;
      // A fresh key is made only now, for a phone that has approved and proved the account identity.
      databaseKey = new SecretKey(answer.k ? copyBytes(answer.k) : randomBytes(DATABASE_KEY_BYTES));
      await channel.send(toPhone.seal(encodePairingMessage(reused ? { t: 'done' } : { t: 'done', k: databaseKey.bytes })));
      if (answer.k) wipe(answer.k);

      succeeded = true;
      return {
        accountId,
        identityKey: answer.ik,
        profile: profileFromWire(answer.pr),
        deviceKeys,
        certificate,
        certificateBytes: answer.c,
        deviceList,
        databaseKey,
        databaseKeyReused: reused,
        snapshot,
        confirmationCode: keys.confirmationCode,
        ...(answer.bk ? { backupCode: answer.bk } : {}),
      };
    } finally {
      purgePairingKeys(keys);
    }
  } finally {
    channel.close();
    if (!succeeded) {
      databaseKey?.purge();
      if (!options.deviceKeys) {
        deviceKeys.signing.secretKey.purge();
        deviceKeys.dh.secretKey.purge();
      }
    }
  }
}

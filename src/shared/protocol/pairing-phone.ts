/** The phone's side of the pairing handshake (protocol: pairing-keys.ts, pairing-messages.ts, docs/protocol.md §14). */
import { systemClock, type Clock } from '../clock';
import { ProtocolError } from '../errors';
import { PAIRING_APPROVAL_TIMEOUT_MS, PAIRING_STEP_TIMEOUT_MS } from '../limits';
import { encodePairingSnapshot, type PairingSnapshot } from '../messages/pairing-snapshot';
import { profileToWire, type Profile } from '../messages/profile';
import { runtimeTimers, type Timers } from '../wire/timers';
import { issueDeviceCertificate } from './device-certificate';
import type { DeviceId } from './ids';
import { generateX25519, type AccountIdentity } from './identity';
import { ChannelReader, PairingError, type PairingChannel } from './pairing-channel';
import { derivePairingKeys, pairingTranscript, PairingDirection, purgePairingKeys } from './pairing-keys';
import { decodePairingMessage, encodeHello, encodePairingMessage, SNAPSHOT_CHUNK_BYTES } from './pairing-messages';
import { encodePairingOffer, type PairingOffer } from './pairing-offer';

/** What the phone shows its user before asking for approval. */
export interface PairingRequest {
  readonly workstationId: string;
  readonly desktopName: string;
  readonly deviceId: DeviceId;
  /** Must match the code on the desktop's screen. */
  readonly confirmationCode: string;
}

export interface LinkedDesktop {
  readonly workstationId: string;
  readonly deviceId: DeviceId;
  readonly name: string;
  readonly signingKey: Uint8Array;
  readonly dhKey: Uint8Array;
}

/** The phone's account as the handshake needs it; the companion phone (src/phone) implements it. */
export interface PhonePairingAccount {
  readonly account: AccountIdentity;
  readonly profile: Profile;
  /** The Backup & Restore code to show on the desktop's Security key screen (canonical form), if the phone has one. */
  readonly backupCode?: string;
  /**
   * Adds the desktop's certificate to the account's device list (dropping an earlier device of the
   * same workstation), signs it with a higher version, publishes it to the relay, and returns it.
   */
  linkDesktop(desktop: LinkedDesktop, certificate: Uint8Array): Promise<Uint8Array>;
  /** Undoes linkDesktop when the handshake fails after it. */
  unlinkDesktop(deviceId: DeviceId): Promise<void>;
  /** The database key handed to this workstation at an earlier pairing, if any. */
  databaseKeyFor(workstationId: string): Uint8Array | undefined;
  rememberDatabaseKey(workstationId: string, key: Uint8Array): Promise<void>;
  /** Recent contacts and messages for the new desktop (bounded when encoded). */
  snapshot(): PairingSnapshot;
}

export interface PhonePairingOptions {
  /** Show desktop name and code; resolve true only if the user confirmed the code matches. */
  readonly approve: (request: PairingRequest) => boolean | Promise<boolean>;
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly stepTimeoutMs?: number;
  readonly approvalTimeoutMs?: number;
}

export interface PhonePairingResult {
  readonly desktop: LinkedDesktop;
  readonly certificate: Uint8Array;
  readonly deviceList: Uint8Array;
  readonly databaseKeyReused: boolean;
  readonly confirmationCode: string;
}

function withTimeout<T>(work: Promise<T>, ms: number, timers: Timers): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = timers.setTimeout(() => reject(new PairingError('TIMEOUT', 'no approval in time')), ms);
    work.then(
      (v) => {
        timers.clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        timers.clearTimeout(timer);
        reject(e instanceof Error ? e : new PairingError('ABORTED', 'approval failed'));
      },
    );
  });
}

/**
 * Joins the desktop's offer on `channel` (already joined to offer.channelId). Nothing about the
 * account leaves the phone unless the desktop proved it holds the offer's ephemeral key (its
 * first frame decrypts) and the user approved the confirmation code. Always closes the channel.
 */
export async function runPhonePairing(
  channel: PairingChannel,
  offer: PairingOffer,
  phone: PhonePairingAccount,
  options: PhonePairingOptions,
): Promise<PhonePairingResult> {
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? runtimeTimers;
  const step = options.stepTimeoutMs ?? PAIRING_STEP_TIMEOUT_MS;
  if (clock.now() >= offer.expiresAt) throw new ProtocolError('EXPIRED', 'pairing offer expired');
  const reader = new ChannelReader(channel, timers);
  const ephemeral = generateX25519();
  const transcript = pairingTranscript(encodePairingOffer(offer), ephemeral.publicKey);
  const keys = derivePairingKeys(ephemeral.secretKey.bytes, offer.desktopEphemeralKey, offer.secret, transcript);
  ephemeral.secretKey.purge();
  let linked: DeviceId | null = null;
  let finished = false;
  try {
    const toDesktop = new PairingDirection(keys.phoneToDesktop, transcript);
    const fromDesktop = new PairingDirection(keys.desktopToPhone, transcript);
    await channel.send(encodeHello(ephemeral.publicKey, toDesktop.sealRaw(encodePairingMessage({ t: 'hello' }))));

    // Only the holder of the offer's ephemeral private key can produce a frame that opens here.
    const d = decodePairingMessage(fromDesktop.open(await reader.next(step)), ['desktop']);
    const desktop: LinkedDesktop = { workstationId: d.w, deviceId: d.d, name: d.n, signingKey: d.sk, dhKey: d.dk };
    const request: PairingRequest = { workstationId: d.w, desktopName: d.n, deviceId: d.d, confirmationCode: keys.confirmationCode };

    let approved = false;
    try {
      approved = await withTimeout(Promise.resolve(options.approve(request)), options.approvalTimeoutMs ?? PAIRING_APPROVAL_TIMEOUT_MS, timers);
    } finally {
      if (!approved) await channel.send(toDesktop.seal(encodePairingMessage({ t: 'reject' }))).catch(() => undefined);
    }
    if (!approved) throw new PairingError('REJECTED', 'the user declined the pairing');

    const certificate = issueDeviceCertificate(phone.account, { deviceId: d.d, signingKey: d.sk, dhKey: d.dk }, 'desktop', d.n, clock.now());
    let deviceList: Uint8Array;
    try {
      deviceList = await phone.linkDesktop(desktop, certificate);
    } catch (cause) {
      // The desktop would otherwise wait out its whole approval timeout.
      await channel.send(toDesktop.seal(encodePairingMessage({ t: 'reject' }))).catch(() => undefined);
      throw new PairingError('ABORTED', 'could not publish the device list', { cause });
    }
    linked = desktop.deviceId;

    const storedKey = phone.databaseKeyFor(d.w);
    const snapshot = encodePairingSnapshot(phone.snapshot());
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < snapshot.length || chunks.length === 0; i += SNAPSHOT_CHUNK_BYTES) chunks.push(snapshot.subarray(i, i + SNAPSHOT_CHUNK_BYTES));
    const accept = {
      t: 'accept' as const,
      ik: phone.account.identity.publicKey,
      c: certificate,
      l: deviceList,
      pr: profileToWire(phone.profile),
      s: chunks.length,
      ...(storedKey ? { k: storedKey } : {}),
      ...(phone.backupCode ? { bk: phone.backupCode } : {}),
    };
    await channel.send(toDesktop.seal(encodePairingMessage(accept)));
    for (const chunk of chunks) await channel.send(toDesktop.seal(encodePairingMessage({ t: 'snap', b: chunk })));

    const done = decodePairingMessage(fromDesktop.open(await reader.next(step)), ['done']);
    if (storedKey && done.k) throw new ProtocolError('MALFORMED', 'pairing: desktop replaced a stored database key');
    if (!storedKey) {
      if (!done.k) throw new ProtocolError('MALFORMED', 'pairing: desktop sent no database key');
      await phone.rememberDatabaseKey(d.w, done.k);
    }
    finished = true;
    return { desktop, certificate, deviceList, databaseKeyReused: storedKey !== undefined, confirmationCode: keys.confirmationCode };
  } finally {
    purgePairingKeys(keys);
    channel.close();
    if (linked && !finished) await phone.unlinkDesktop(linked).catch(() => undefined);
  }
}

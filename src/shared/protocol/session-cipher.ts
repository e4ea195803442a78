/**
 * The API the apps use for pairwise end-to-end encryption: one SessionCipher per own device.
 * encrypt() turns a plaintext for one remote device into sealed-envelope bytes for the relay,
 * decrypt() turns envelope bytes back into an authenticated sender and plaintext. X3DH, the
 * ratchet, sealed sender and replay protection stay inside.
 */
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import { constantTimeEqual } from '../bytes';
import { ProtocolError } from '../errors';
import { RELAY_QUEUE_RETENTION_MS } from '../limits';
import type { DeviceCertificate } from './device-certificate';
import { secureRandom, type RandomSource } from './diffie-hellman';
import { newEnvelopeId, type AccountId, type DeviceId, type EnvelopeId } from './ids';
import type { DeviceKeys } from './identity';
import { verifyPrekeyBundle, type PrekeyBundle } from './prekeys';
import { DoubleRatchet } from './ratchet';
import { decodeSealedEnvelope, encodeSealedEnvelope } from './sealed-envelope';
import { openEnvelope, sealEnvelope, verifySealedSender, type SealedContent, type SenderResolver } from './sealed-sender';
import { decodeSessionRecord, encodeSessionRecord, withCurrentState, type SessionRecord, type SessionState } from './session-record';
import type { RemoteDevice, SessionStore } from './session-store';
import { x3dhInitiate, x3dhRespond } from './x3dh';

export interface SessionCipherOptions {
  readonly accountId: AccountId;
  readonly device: DeviceKeys;
  /** The own device certificate (signed bytes), carried inside every sealed envelope. */
  readonly certificate: Uint8Array;
  readonly store: SessionStore;
  readonly clock?: Clock;
  readonly random?: RandomSource;
}

export interface Recipient {
  readonly accountId: AccountId;
  /** From the recipient account's verified device list. */
  readonly certificate: DeviceCertificate;
  /** Needed only when there is no session with this device yet. */
  readonly bundle?: PrekeyBundle;
}

export interface EncryptOptions {
  /** Defaults to now + RELAY_QUEUE_RETENTION_MS. */
  readonly expiresAt?: number;
  readonly envelopeId?: EnvelopeId;
}

export interface DecryptedMessage {
  readonly senderAccountId: AccountId;
  readonly senderDeviceId: DeviceId;
  readonly senderCertificate: DeviceCertificate;
  readonly envelopeId: EnvelopeId;
  readonly sentAt: number;
  readonly expiresAt: number;
  readonly plaintext: Uint8Array;
}

export class SessionCipher {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly #device: DeviceKeys;
  readonly #certificate: Uint8Array;
  readonly #store: SessionStore;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  /** Operations run one at a time, so two decrypts never race on one session record. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(o: SessionCipherOptions) {
    this.accountId = o.accountId;
    this.deviceId = o.device.deviceId;
    this.#device = o.device;
    this.#certificate = o.certificate;
    this.#store = o.store;
    this.#clock = o.clock ?? systemClock;
    this.#random = o.random ?? secureRandom;
  }

  /** Whether encrypt() to this device works without a prekey bundle. */
  hasSession(peer: RemoteDevice & { readonly dhKey: Uint8Array }): Promise<boolean> {
    return this.#exclusive(async () => {
      const record = await this.#load(peer);
      return record !== undefined && constantTimeEqual(record.remoteDhKey, peer.dhKey);
    });
  }

  /** Forgets the session; the next encrypt() needs a bundle. */
  resetSession(peer: RemoteDevice): Promise<void> {
    return this.#exclusive(async () => {
      await this.#store.deleteSession(peer);
    });
  }

  /** Returns the encoded SealedEnvelope, addressed to recipient.certificate.deviceId. */
  encrypt(recipient: Recipient, plaintext: Uint8Array, options: EncryptOptions = {}): Promise<Uint8Array> {
    return this.#exclusive(() => this.#encrypt(recipient, plaintext, options));
  }

  decrypt(envelopeBytes: Uint8Array, resolveSender: SenderResolver): Promise<DecryptedMessage> {
    return this.#exclusive(() => this.#decrypt(envelopeBytes, resolveSender));
  }

  async #encrypt(recipient: Recipient, plaintext: Uint8Array, options: EncryptOptions): Promise<Uint8Array> {
    const cert = recipient.certificate;
    if (cert.accountId !== recipient.accountId) throw new ProtocolError('BAD_CERTIFICATE', 'recipient certificate is for another account');
    const peer: RemoteDevice = { accountId: cert.accountId, deviceId: cert.deviceId };
    const record = await this.#load(peer);
    let state = record && constantTimeEqual(record.remoteDhKey, cert.dhKey) ? record.states[0] : undefined;
    if (!state) {
      if (!recipient.bundle) throw new ProtocolError('NO_SESSION', 'no session with this device and no prekey bundle');
      const bundle = verifyPrekeyBundle(recipient.bundle, cert);
      const x = x3dhInitiate(this.#self(), bundle, this.#random);
      const ratchet = DoubleRatchet.initiate(x.sharedKey, x.associatedData, bundle.signedPrekey.key, this.#random);
      state = { ratchet: ratchet.serialize(), baseKey: x.initiation.ephemeralKey, pending: x.initiation };
    }
    const ratchet = DoubleRatchet.deserialize(state.ratchet, this.#random);
    const ratchetMessage = ratchet.encrypt(plaintext);
    const sentAt = this.#clock.now();
    const expiresAt = options.expiresAt ?? sentAt + RELAY_QUEUE_RETENTION_MS;
    if (expiresAt < sentAt) throw new ProtocolError('EXPIRED', 'expiry before sending time');
    const content: SealedContent = {
      senderAccountId: this.accountId,
      senderDeviceId: this.deviceId,
      senderCertificate: this.#certificate,
      kind: state.pending ? 'prekey' : 'normal',
      ...(state.pending ? { initiation: state.pending } : {}),
      ratchetMessage,
    };
    const envelope = sealEnvelope({ to: cert.deviceId, id: options.envelopeId ?? newEnvelopeId(), sentAt, expiresAt }, cert.dhKey, content, this.#random);
    // Saved before the bytes leave, so a crash can never make a message key be used twice.
    const next = withCurrentState(record && constantTimeEqual(record.remoteDhKey, cert.dhKey) ? record : undefined, cert.dhKey, {
      ...state,
      ratchet: ratchet.serialize(),
    });
    await this.#store.saveSession(peer, encodeSessionRecord(next));
    return encodeSealedEnvelope(envelope);
  }

  async #decrypt(bytes: Uint8Array, resolveSender: SenderResolver): Promise<DecryptedMessage> {
    const envelope = decodeSealedEnvelope(bytes);
    if (envelope.to !== this.deviceId) throw new ProtocolError('WRONG_RECIPIENT', 'envelope is for another device');
    if (envelope.expiresAt < this.#clock.now()) throw new ProtocolError('EXPIRED', 'envelope has expired');
    if (await this.#store.hasSeenEnvelope(envelope.id)) throw new ProtocolError('REPLAY', 'envelope already processed');
    const content = openEnvelope(envelope, { deviceId: this.deviceId, dhSecret: this.#device.dh.secretKey.bytes, dhKey: this.#device.dh.publicKey });
    const senderCertificate = await verifySealedSender(content, resolveSender);
    const peer: RemoteDevice = { accountId: senderCertificate.accountId, deviceId: senderCertificate.deviceId };
    const stored = await this.#load(peer);
    const record = stored && constantTimeEqual(stored.remoteDhKey, senderCertificate.dhKey) ? stored : undefined;
    const opened =
      content.kind === 'prekey'
        ? await this.#openPrekeyMessage(content, senderCertificate, record)
        : this.#openNormalMessage(content, stored, record);
    await this.#store.commitReceived({
      peer,
      record: encodeSessionRecord(withCurrentState(record, senderCertificate.dhKey, opened.state)),
      envelopeId: envelope.id,
      expiresAt: envelope.expiresAt,
      ...(opened.consumedOneTimePrekeyId !== undefined ? { consumedOneTimePrekeyId: opened.consumedOneTimePrekeyId } : {}),
    });
    return {
      senderAccountId: peer.accountId,
      senderDeviceId: peer.deviceId,
      senderCertificate,
      envelopeId: envelope.id,
      sentAt: envelope.sentAt,
      expiresAt: envelope.expiresAt,
      plaintext: opened.plaintext,
    };
  }

  /** Tries the current state, then the archived ones; the one that opens it becomes current. */
  #openNormalMessage(content: SealedContent, stored: SessionRecord | undefined, record: SessionRecord | undefined): Opened {
    if (!record) {
      throw stored
        ? new ProtocolError('IDENTITY_MISMATCH', 'session is bound to another key of this device')
        : new ProtocolError('NO_SESSION', 'no session with the sender');
    }
    let first: unknown;
    for (const state of record.states) {
      try {
        return this.#openWith(state, content.ratchetMessage);
      } catch (error) {
        first ??= error;
      }
    }
    throw first;
  }

  async #openPrekeyMessage(content: SealedContent, sender: DeviceCertificate, record: SessionRecord | undefined): Promise<Opened> {
    const init = content.initiation;
    if (!init) throw new ProtocolError('MALFORMED', 'prekey message without initiation');
    const known = record?.states.find((s) => constantTimeEqual(s.baseKey, init.ephemeralKey));
    if (known) return this.#openWith(known, content.ratchetMessage);
    const signedPrekey = await this.#store.loadSignedPrekey(init.signedPrekeyId);
    if (!signedPrekey) throw new ProtocolError('UNKNOWN_PREKEY', 'signed prekey unknown');
    let oneTimePrekey: Uint8Array | undefined;
    if (init.oneTimePrekeyId !== undefined) {
      oneTimePrekey = await this.#store.loadOneTimePrekey(init.oneTimePrekeyId);
      if (!oneTimePrekey) throw new ProtocolError('UNKNOWN_PREKEY', 'one-time prekey unknown or already used');
    }
    const x = x3dhRespond(
      this.#self(),
      { accountId: sender.accountId, deviceId: sender.deviceId, dhKey: sender.dhKey },
      init.ephemeralKey,
      signedPrekey,
      oneTimePrekey,
    );
    const ratchet = DoubleRatchet.respond(x.sharedKey, x.associatedData, signedPrekey, this.#random);
    const plaintext = ratchet.decrypt(content.ratchetMessage);
    return {
      plaintext,
      state: { ratchet: ratchet.serialize(), baseKey: init.ephemeralKey },
      ...(init.oneTimePrekeyId !== undefined ? { consumedOneTimePrekeyId: init.oneTimePrekeyId } : {}),
    };
  }

  /** A reply through a state proves the peer has the session: stop sending the initiation. */
  #openWith(state: SessionState, message: Uint8Array): Opened {
    const ratchet = DoubleRatchet.deserialize(state.ratchet, this.#random);
    const plaintext = ratchet.decrypt(message);
    return { plaintext, state: { ratchet: ratchet.serialize(), baseKey: state.baseKey } };
  }

  #self() {
    return { accountId: this.accountId, deviceId: this.deviceId, dhKey: this.#device.dh.publicKey, dhSecret: this.#device.dh.secretKey.bytes };
  }

  async #load(peer: RemoteDevice): Promise<SessionRecord | undefined> {
    const bytes = await this.#store.loadSession(peer);
    return bytes ? decodeSessionRecord(bytes) : undefined;
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

interface Opened {
  readonly plaintext: Uint8Array;
  readonly state: SessionState;
  readonly consumedOneTimePrekeyId?: number;
}

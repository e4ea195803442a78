/**
 * Receives sealed envelopes from the relay: decrypt (the session layer rejects replays and
 * forged senders), apply the content to the store, and only then ack, so an envelope is never
 * lost between the relay forgetting it and the database holding it. Envelopes are handled one
 * at a time in arrival order.
 */
import { isWardlineError, ProtocolError } from '../../../shared/errors';
import { ContentError, decodeAnyContent, type GroupContent, type MessageContent } from '../../../shared/messages/content';
import type { AccountId, EnvelopeId } from '../../../shared/protocol/ids';
import type { DecryptedMessage, SessionCipher } from '../../../shared/protocol/session-cipher';
import type { CoreLogger } from '../logging';
import type { DeviceDirectory } from './device-directory';

export interface ContentSink {
  apply(content: MessageContent, from: { accountId: AccountId; deviceId: string; envelopeSentAt: number }): void;
  /** Group changes and join requests (src/main/core/groups/); without it they are dropped. */
  applyGroup?(content: GroupContent, from: { accountId: AccountId; deviceId: string; envelopeSentAt: number }): void;
}

/** Errors that a later retry cannot fix: the envelope is acked and dropped. */
function isPermanent(err: unknown): boolean {
  return err instanceof ProtocolError || err instanceof ContentError;
}

export class IncomingEnvelopes {
  readonly #cipher: SessionCipher;
  readonly #directory: DeviceDirectory;
  readonly #sink: ContentSink;
  readonly #ack: (id: EnvelopeId) => void;
  readonly #log: CoreLogger;
  #queue: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(deps: { cipher: SessionCipher; directory: DeviceDirectory; sink: ContentSink; ack: (id: EnvelopeId) => void; log: CoreLogger }) {
    this.#cipher = deps.cipher;
    this.#directory = deps.directory;
    this.#sink = deps.sink;
    this.#ack = deps.ack;
    this.#log = deps.log;
  }

  /** Queues an envelope; resolves when it (and everything before it) has been handled. */
  receive(id: EnvelopeId, bytes: Uint8Array): Promise<void> {
    this.#queue = this.#queue.then(() => this.#handle(id, bytes));
    return this.#queue;
  }

  /** Stops handling (logout): queued envelopes stay un-acked at the relay. */
  stop(): void {
    this.#stopped = true;
  }

  /** Waits for every queued envelope. */
  idle(): Promise<void> {
    return this.#queue;
  }

  async #handle(id: EnvelopeId, bytes: Uint8Array): Promise<void> {
    if (this.#stopped) return;
    let message: DecryptedMessage;
    try {
      message = await this.#decrypt(bytes);
    } catch (err) {
      const code = isWardlineError(err) ? err.code : 'INTERNAL';
      if (isPermanent(err)) {
        // A replay was already stored the first time; anything else can never be read.
        this.#log.warn({ envelopeId: id, code }, 'envelope refused');
        this.#ack(id);
      } else {
        this.#log.warn({ envelopeId: id, code }, 'envelope not handled; the relay redelivers it');
      }
      return;
    }
    if (this.#stopped) return;
    try {
      const content = decodeAnyContent(message.plaintext);
      message.plaintext.fill(0);
      const from = { accountId: message.senderAccountId, deviceId: message.senderDeviceId, envelopeSentAt: message.sentAt };
      if (content.kind === 'group-change' || content.kind === 'group-join-request') this.#sink.applyGroup?.(content, from);
      else this.#sink.apply(content, from);
    } catch (err) {
      const code = isWardlineError(err) ? err.code : 'INTERNAL';
      if (!isPermanent(err)) {
        // The session already moved on: a redelivery would be refused as a replay, so the
        // content is lost either way; say so loudly rather than loop.
        this.#log.error({ envelopeId: id, code }, 'decrypted envelope could not be stored');
      } else {
        this.#log.warn({ envelopeId: id, code }, 'envelope content refused');
      }
    }
    this.#ack(id);
  }

  /** A sender device missing from our cached list may be new: refresh the list once and retry. */
  async #decrypt(bytes: Uint8Array): Promise<DecryptedMessage> {
    try {
      return await this.#cipher.decrypt(bytes, (accountId) => this.#directory.get(accountId));
    } catch (err) {
      if (!(err instanceof ProtocolError) || (err.code !== 'UNKNOWN_SENDER' && err.code !== 'BAD_CERTIFICATE')) throw err;
      return await this.#cipher.decrypt(bytes, (accountId) => this.#directory.get(accountId, { refresh: true }));
    }
  }
}

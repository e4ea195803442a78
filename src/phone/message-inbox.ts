/** What the phone received, in arrival order, with a way for tests to wait for a particular message. */
import type { MessageContent } from '../shared/messages/content';
import type { AccountId, DeviceId, EnvelopeId } from '../shared/protocol/ids';
import { PhoneError } from './phone-error';

export interface ReceivedMessage {
  readonly envelopeId: EnvelopeId;
  readonly from: AccountId;
  readonly fromDevice: DeviceId;
  readonly content: MessageContent;
  /** Sent by another device of this phone's own account (a desktop): a copy for own-device sync. */
  readonly ownCopy: boolean;
  readonly receivedAt: number;
}

/** Most messages kept in memory; a long `listen` run forgets the oldest. */
const INBOX_MAX = 10_000;

export class MessageInbox {
  readonly #messages: ReceivedMessage[] = [];
  readonly #waiters = new Set<{ predicate: (m: ReceivedMessage) => boolean; resolve: (m: ReceivedMessage) => void }>();
  readonly #listeners = new Set<(m: ReceivedMessage) => void>();

  get messages(): readonly ReceivedMessage[] {
    return this.#messages;
  }

  add(m: ReceivedMessage): void {
    this.#messages.push(m);
    if (this.#messages.length > INBOX_MAX) this.#messages.shift();
    for (const w of [...this.#waiters]) {
      if (w.predicate(m)) {
        this.#waiters.delete(w);
        w.resolve(m);
      }
    }
    for (const l of this.#listeners) l(m);
  }

  onMessage(listener: (m: ReceivedMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves with the first message (already received or future) that matches. */
  waitFor(predicate: (m: ReceivedMessage) => boolean, timeoutMs: number): Promise<ReceivedMessage> {
    const found = this.#messages.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (m: ReceivedMessage) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new PhoneError('TIMEOUT', 'no matching message in time'));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}

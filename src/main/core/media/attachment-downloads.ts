/**
 * Fetching received attachments (docs/attachments.md): the applier announces an attachment once
 * its message row exists; the blob is fetched, decrypted and checked while it streams into the
 * encrypted local store, one at a time in the background.
 *
 * A read cut off by a dropped relay link does not start over: the download waits for the link to
 * come back (resume() is called on every connection) and continues from the ciphertext offset it
 * reached, with the decryptor and the store write still open. Only a hopeless blob (tampered,
 * truncated, expired), repeated failures at one offset, or the session ending give up; transport
 * failures keep the attachment pending for the next connection or a Retry.
 */
import { AttachmentError } from '../../../shared/attachments/attachment-error';
import { downloadAttachment, type ResumeDownload } from '../../../shared/attachments/attachment-transfer';
import { isWardlineError } from '../../../shared/errors';
import { ATTACHMENT_DOWNLOAD_RESUME_TRIES } from '../../../shared/limits';
import type { AttachmentContent } from '../../../shared/messages/attachment-content';
import type { RelayClient } from '../../../shared/wire/relay-client';
import type { CoreLogger } from '../logging';
import type { AccountStore } from '../store/account-store';

export interface DownloadOutcome {
  readonly messageId: string;
  readonly state: 'failed' | 'done';
  readonly retryable: boolean;
}

export interface AttachmentDownloadsDeps {
  readonly store: AccountStore;
  readonly relay: () => RelayClient | null;
  readonly log: CoreLogger;
  progress(messageId: string, done: number, total: number): void;
  /** The attachment is in the store (the message can be shown with it). */
  stored(messageId: string): void;
  outcome(outcome: DownloadOutcome): void;
}

export function codeOf(error: unknown): string {
  return isWardlineError(error) ? error.code : 'INTERNAL';
}

/** A download that failed for one of these reasons will not get better by trying again. */
function isHopeless(error: unknown): boolean {
  return error instanceof AttachmentError || codeOf(error) === 'BLOB_NOT_FOUND' || codeOf(error) === 'NOT_FOUND';
}

export class AttachmentDownloads {
  readonly #d: AttachmentDownloadsDeps;
  /** Announced attachments not fetched yet, by message id. */
  readonly #pending = new Map<string, AttachmentContent>();
  /** Downloads paused on a dropped relay link, woken when it is back (true) or the session ends (false). */
  readonly #relayWaiters = new Set<(back: boolean) => void>();
  #fetching: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(deps: AttachmentDownloadsDeps) {
    this.#d = deps;
  }

  announced(content: AttachmentContent): void {
    this.#pending.set(content.id, content);
    this.resume();
  }

  /** Wakes paused downloads and fetches every pending attachment (after an announcement, a reconnect, a Retry). */
  resume(): void {
    this.#wake(true);
    this.#fetching = this.#fetching.then(() => this.#fetchPending());
  }

  isPending(messageId: string): boolean {
    return this.#pending.has(messageId);
  }

  idle(): Promise<void> {
    return this.#fetching;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake(false);
    await this.#fetching.catch(() => undefined);
  }

  async #fetchPending(): Promise<void> {
    for (const content of [...this.#pending.values()]) {
      const relay = this.#d.relay();
      if (!relay?.isOpen || this.#closed) return;
      const { store } = this.#d;
      if (!store.messages.get(content.id) || store.attachments.forMessage(content.id).length > 0) {
        this.#pending.delete(content.id);
        continue;
      }
      try {
        const stream = downloadAttachment(relay, content, (done, total) => this.#d.progress(content.id, done, total), this.#resumeFor(content.id));
        await store.attachments.add({ messageId: content.id, fileName: content.fileName, mimeType: content.mimeType }, stream);
        this.#pending.delete(content.id);
        this.#d.outcome({ messageId: content.id, state: 'done', retryable: true });
        this.#d.stored(content.id);
      } catch (error) {
        const hopeless = isHopeless(error);
        if (hopeless) this.#pending.delete(content.id);
        if (!this.#closed) this.#d.outcome({ messageId: content.id, state: 'failed', retryable: !hopeless });
        this.#d.log.warn({ messageId: content.id, code: codeOf(error) }, 'attachment fetch failed');
      }
    }
  }

  /** Continue on the live link (a timeout), or once the link is back; give up as the class comment says. */
  #resumeFor(messageId: string): ResumeDownload {
    let lastOffset = -1;
    let triesHere = 0;
    return async (error, offset) => {
      if (this.#closed || isHopeless(error)) return null;
      triesHere = offset === lastOffset ? triesHere + 1 : 1;
      lastOffset = offset;
      if (triesHere > ATTACHMENT_DOWNLOAD_RESUME_TRIES) return null;
      this.#d.log.warn({ messageId, code: codeOf(error), offset }, 'attachment fetch interrupted, resuming');
      const live = this.#d.relay();
      if (live?.isOpen) return live;
      const back = await new Promise<boolean>((resolve) => this.#relayWaiters.add(resolve));
      const relay = this.#d.relay();
      return back && relay?.isOpen ? relay : null;
    };
  }

  #wake(back: boolean): void {
    for (const wake of this.#relayWaiters) wake(back);
    this.#relayWaiters.clear();
  }
}

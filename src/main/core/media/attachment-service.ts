/**
 * Attachments for one paired account (docs/attachments.md).
 *
 * Sending: the renderer hands over bytes (editor output, camera picture, picked file; never a
 * path). Images lose their EXIF/XMP/IPTC here, before anything is stored or encrypted; the
 * cleaned file goes into the encrypted local store, then encrypted with a fresh key into the
 * relay blob store, and the pointer (blob id, key, digest, size, type, name) travels inside an
 * end-to-end encrypted `attachment` message.
 *
 * Receiving: the applier stores the message and announces the attachment; the blob is fetched,
 * decrypted and checked while it streams into the encrypted local store. Fetches that fail for
 * want of a relay are kept and retried when the relay link comes back.
 */
import type { AttachmentFile, MediaItem, Message } from '../../../shared/api';
import { AttachmentError } from '../../../shared/attachments/attachment-error';
import { downloadAttachment, uploadAttachment } from '../../../shared/attachments/attachment-transfer';
import { ImageMetadataError, stripImageMetadata } from '../../../shared/attachments/image-metadata';
import { isWardlineError } from '../../../shared/errors';
import { ATTACHMENT_API_MAX_BYTES } from '../../../shared/limits';
import { zFileName, zMimeType, type AttachmentContent } from '../../../shared/messages/attachment-content';
import { encodeContent } from '../../../shared/messages/content';
import { newMessageId } from '../../../shared/messages/message-id';
import type { AccountId } from '../../../shared/protocol/ids';
import type { RelayClient } from '../../../shared/wire/relay-client';
import { CoreError } from '../core-error';
import type { CoreLogger } from '../logging';
import type { ContentSender } from '../messaging/content-sender';
import type { AccountStore } from '../store/account-store';
import { requireAcknowledgedSafetyNumber } from '../trust/safety-number-guard';
import { MediaLibrary } from './media-library';

export interface AttachmentProgress {
  readonly messageId: string;
  readonly direction: 'upload' | 'download';
  readonly done: number;
  readonly total: number;
}

export interface AttachmentServiceDeps {
  readonly store: AccountStore;
  readonly sender: ContentSender;
  readonly relay: () => RelayClient | null;
  readonly ownAccountId: AccountId;
  readonly log: CoreLogger;
  /** The API view of a stored message (MessagingService.view). */
  readonly view: (messageId: string) => Message | null;
  readonly events: {
    messageAdded(message: Message): void;
    messageUpdated(message: Message): void;
    conversationsChanged(): void;
    progress?(progress: AttachmentProgress): void;
  };
}

export interface OutgoingFile {
  readonly conversationId: string;
  readonly fileName: string;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
  readonly caption?: string;
}

function codeOf(error: unknown): string {
  return isWardlineError(error) ? error.code : 'INTERNAL';
}

export class AttachmentService {
  readonly #d: AttachmentServiceDeps;
  readonly #library: MediaLibrary;
  /** Announced attachments not fetched yet, by message id. */
  readonly #pending = new Map<string, AttachmentContent>();
  #fetching: Promise<void> = Promise.resolve();

  constructor(deps: AttachmentServiceDeps) {
    this.#d = deps;
    this.#library = new MediaLibrary(deps.store.db);
  }

  async send(file: OutgoingFile): Promise<Message> {
    const { store, events } = this.#d;
    const conversation = store.conversations.get(file.conversationId);
    if (!conversation?.peerAccountId) throw new CoreError('NOT_FOUND', 'conversation');
    const peer = conversation.peerAccountId as AccountId;
    requireAcknowledgedSafetyNumber(store.contacts, peer);
    if (file.bytes.length > ATTACHMENT_API_MAX_BYTES) throw new CoreError('INVALID_INPUT', 'attachment too large');
    const fileName = zFileName.safeParse(file.fileName);
    const mimeType = zMimeType.safeParse(file.mimeType);
    if (!fileName.success || !mimeType.success) throw new CoreError('INVALID_INPUT', 'file name or type');
    let clean: Uint8Array;
    try {
      clean = stripImageMetadata(file.bytes, mimeType.data);
    } catch (error) {
      if (error instanceof ImageMetadataError) throw new CoreError('INVALID_INPUT', error.code);
      throw error;
    }

    const id = newMessageId();
    const sentAt = store.clock.now();
    store.messages.insert({ id, conversationId: conversation.id, senderAccountId: this.#d.ownAccountId, direction: 'out', body: file.caption ?? '', sentAt, state: 'sending' });
    await store.attachments.add({ messageId: id, fileName: fileName.data, mimeType: mimeType.data }, [clean]);
    this.#emit('added', id);
    events.conversationsChanged();

    let state: 'sent' | 'failed' = 'failed';
    try {
      const relay = this.#d.relay();
      if (!relay?.isOpen) throw new CoreError('RELAY_UNAVAILABLE', 'relay not connected');
      const pointer = await uploadAttachment(relay, clean.length, [clean], (done, total) => events.progress?.({ messageId: id, direction: 'upload', done, total }));
      const content: AttachmentContent = {
        kind: 'attachment',
        id,
        to: peer,
        sentAt,
        ...pointer,
        mimeType: mimeType.data,
        fileName: fileName.data,
        ...(file.caption === undefined ? {} : { caption: file.caption }),
      };
      const outcome = await this.#d.sender.send(peer, encodeContent(content));
      if (outcome.peerDevices > 0) state = 'sent';
    } catch (error) {
      this.#d.log.warn({ messageId: id, code: codeOf(error) }, 'attachment send failed');
    }
    store.messages.updateState(id, state);
    const message = this.#d.view(id);
    if (!message) throw new CoreError('INTERNAL', 'message vanished');
    events.messageUpdated(message);
    return message;
  }

  /** Called by the applier once the message row exists; the fetch runs in the background, one at a time. */
  announced(content: AttachmentContent): void {
    this.#pending.set(content.id, content);
    this.resume();
  }

  /** Fetches every pending attachment (after an announcement, or when the relay link is back). */
  resume(): void {
    this.#fetching = this.#fetching.then(() => this.#fetchPending());
  }

  /** Resolves when no fetch is running (tests, shutdown). */
  idle(): Promise<void> {
    return this.#fetching;
  }

  list(conversationId?: string): MediaItem[] {
    return this.#library.list(conversationId);
  }

  async file(attachmentId: string): Promise<AttachmentFile> {
    const item = this.#library.item(attachmentId);
    if (!item) throw new CoreError('NOT_FOUND', 'attachment');
    const bytes = await this.#d.store.attachments.read(attachmentId);
    return { ...item, data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  }

  async #fetchPending(): Promise<void> {
    for (const content of [...this.#pending.values()]) {
      const relay = this.#d.relay();
      if (!relay?.isOpen) return;
      const { store } = this.#d;
      if (!store.messages.get(content.id) || store.attachments.forMessage(content.id).length > 0) {
        this.#pending.delete(content.id);
        continue;
      }
      try {
        const stream = downloadAttachment(relay, content, (done, total) =>
          this.#d.events.progress?.({ messageId: content.id, direction: 'download', done, total }),
        );
        await store.attachments.add({ messageId: content.id, fileName: content.fileName, mimeType: content.mimeType }, stream);
        this.#pending.delete(content.id);
        this.#emit('updated', content.id);
        this.#d.events.conversationsChanged();
      } catch (error) {
        // A tampered, truncated or expired blob will not get better: give up on it. Transport
        // failures stay pending for the next connection.
        if (error instanceof AttachmentError || codeOf(error) === 'BLOB_NOT_FOUND' || codeOf(error) === 'NOT_FOUND') this.#pending.delete(content.id);
        this.#d.log.warn({ messageId: content.id, code: codeOf(error) }, 'attachment fetch failed');
      }
    }
  }

  #emit(kind: 'added' | 'updated', id: string): void {
    const message = this.#d.view(id);
    if (!message) return;
    if (kind === 'added') this.#d.events.messageAdded(message);
    else this.#d.events.messageUpdated(message);
  }
}

/**
 * Attachments for one paired account (docs/attachments.md).
 *
 * Sending: the renderer hands over bytes (editor output, camera picture, picked file; never a
 * path). Images lose their EXIF/XMP/IPTC here, before anything is stored or encrypted; the
 * cleaned file goes into the encrypted local store, then encrypted with a fresh key into the
 * relay blob store, and the pointer (blob id, key, digest, size, type, name) travels inside an
 * end-to-end encrypted `attachment` message.
 *
 * Files larger than one API call arrive through the chunked upload (chunked-upload.ts).
 * Receiving is attachment-downloads.ts. A failed transfer is reported (`transfer` event) and can
 * be retried.
 */
import { join } from 'node:path';
import type { AttachmentFile, MediaItem, Message } from '../../../shared/api';
import { uploadAttachment } from '../../../shared/attachments/attachment-transfer';
import { ImageMetadataError, stripImageMetadata } from '../../../shared/attachments/image-metadata';
import { ATTACHMENT_API_MAX_BYTES } from '../../../shared/limits';
import { zFileName, zMimeType, type AttachmentContent } from '../../../shared/messages/attachment-content';
import { encodeContent } from '../../../shared/messages/content';
import { newMessageId, type MessageId } from '../../../shared/messages/message-id';
import type { AccountId } from '../../../shared/protocol/ids';
import type { RelayClient } from '../../../shared/wire/relay-client';
import { CoreError } from '../core-error';
import type { CoreLogger } from '../logging';
import type { ContentSender } from '../messaging/content-sender';
import type { AccountStore } from '../store/account-store';
import { requireAcknowledgedSafetyNumber } from '../trust/safety-number-guard';
import { AttachmentDownloads, codeOf } from './attachment-downloads';
import { ChunkedUploads, type UploadStart } from './chunked-upload';
import { MediaLibrary } from './media-library';

export interface AttachmentProgress {
  readonly messageId: string;
  readonly direction: 'upload' | 'download';
  readonly done: number;
  readonly total: number;
}

/** A transfer that failed (shown on the message with a Retry action), is being retried, or finally went through. */
export interface AttachmentTransfer {
  readonly messageId: string;
  readonly direction: 'upload' | 'download';
  readonly state: 'failed' | 'retrying' | 'done';
  /** False for a download that cannot succeed (tampered, truncated or expired blob). */
  readonly retryable: boolean;
}

export interface AttachmentServiceDeps {
  readonly store: AccountStore;
  readonly sender: ContentSender;
  readonly relay: () => RelayClient | null;
  readonly ownAccountId: AccountId;
  readonly log: CoreLogger;
  /** The API view of a stored message (MessagingService.view). */
  readonly view: (messageId: string) => Message | null;
  /**
   * Group conversations (src/main/core/groups/): how to send an attachment pointer to the group,
   * resolving whether it reached anyone; null for a 1:1 chat. Throws when we may not post there.
   */
  readonly groupRoute?: (conversationId: string) => ((content: AttachmentContent) => Promise<boolean>) | null;
  readonly events: {
    messageAdded(message: Message): void;
    messageUpdated(message: Message): void;
    conversationsChanged(): void;
    progress?(progress: AttachmentProgress): void;
    transfer?(transfer: AttachmentTransfer): void;
  };
}

export interface OutgoingFile {
  readonly conversationId: string;
  readonly fileName: string;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
  readonly caption?: string;
}


function cleanImage(bytes: Uint8Array, mimeType: string): Uint8Array {
  try {
    return stripImageMetadata(bytes, mimeType);
  } catch (error) {
    if (error instanceof ImageMetadataError) throw new CoreError('INVALID_INPUT', error.code);
    throw error;
  }
}

async function collect(source: AsyncIterable<Uint8Array>, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let filled = 0;
  for await (const piece of source) {
    if (filled + piece.length > size) throw new CoreError('INTERNAL', 'spool larger than announced');
    out.set(piece, filled);
    filled += piece.length;
  }
  return out;
}

export class AttachmentService {
  readonly #d: AttachmentServiceDeps;
  readonly #library: MediaLibrary;
  readonly #uploads: ChunkedUploads;
  readonly #downloads: AttachmentDownloads;
  /** Transfers whose last attempt failed, by message id (what the UI marks with Retry). */
  readonly #failures = new Map<string, AttachmentTransfer>();

  constructor(deps: AttachmentServiceDeps) {
    this.#d = deps;
    this.#library = new MediaLibrary(deps.store.db);
    this.#uploads = new ChunkedUploads(join(deps.store.paths.accountDir, 'uploads'), deps.store.clock);
    this.#downloads = new AttachmentDownloads({
      store: deps.store,
      relay: deps.relay,
      log: deps.log,
      progress: (messageId, done, total) => deps.events.progress?.({ messageId, direction: 'download', done, total }),
      stored: (messageId) => {
        this.#emit('updated', messageId);
        deps.events.conversationsChanged();
      },
      outcome: ({ messageId, state, retryable }) => {
        // Success is news only for a download that had failed before.
        if (state === 'failed' || this.#failures.has(messageId)) this.#transfer({ messageId, direction: 'download', state, retryable });
      },
    });
  }

  /** Sends a file handed over whole (at most ATTACHMENT_API_MAX_BYTES; larger files use the chunked upload). */
  async send(file: OutgoingFile): Promise<Message> {
    const peer = this.#peerOf(file.conversationId);
    if (file.bytes.length > ATTACHMENT_API_MAX_BYTES) throw new CoreError('INVALID_INPUT', 'attachment too large');
    const fileName = zFileName.safeParse(file.fileName);
    const mimeType = zMimeType.safeParse(file.mimeType);
    if (!fileName.success || !mimeType.success) throw new CoreError('INVALID_INPUT', 'file name or type');
    const clean = cleanImage(file.bytes, mimeType.data);
    const id = await this.#store(file.conversationId, fileName.data, mimeType.data, file.caption, [clean]);
    return this.#deliver(id, peer, file.caption);
  }

  /** Starts a chunked upload (docs/attachments.md); the conversation is checked now and again at commit. */
  async beginUpload(start: UploadStart): Promise<{ uploadId: string; chunkBytes: number }> {
    this.#peerOf(start.conversationId);
    return this.#uploads.begin(start);
  }

  uploadChunk(uploadId: string, index: number, data: Uint8Array): Promise<{ received: number }> {
    return this.#uploads.chunk(uploadId, index, data);
  }

  abortUpload(uploadId: string): Promise<void> {
    return this.#uploads.abort(uploadId);
  }

  /**
   * Completes a chunked upload: the file moves from the spool into the encrypted store (a
   * picture read whole and cleaned of metadata first), then goes out like any attachment.
   */
  async commitUpload(uploadId: string, caption?: string): Promise<Message> {
    const staged = await this.#uploads.finish(uploadId);
    try {
      const peer = this.#peerOf(staged.conversationId);
      const source = staged.image ? [cleanImage(await collect(staged.open(), staged.size), staged.mimeType)] : staged.open();
      const id = await this.#store(staged.conversationId, staged.fileName, staged.mimeType, caption, source);
      await staged.discard();
      return await this.#deliver(id, peer, caption);
    } finally {
      await staged.discard();
    }
  }

  /** Ends open chunked uploads and paused downloads (session close). */
  async close(): Promise<void> {
    await this.#uploads.close();
    await this.#downloads.close();
  }

  /** Transfers whose last attempt failed (downloads and uploads since this session opened). */
  failures(): AttachmentTransfer[] {
    return [...this.#failures.values()];
  }

  /**
   * Tries a failed transfer again: an outgoing attachment is uploaded again from the encrypted
   * store and its pointer sent; an incoming one is fetched again (resolves once queued).
   */
  async retry(messageId: string): Promise<void> {
    const { store } = this.#d;
    const message = store.messages.get(messageId);
    if (!message) throw new CoreError('NOT_FOUND', 'message');
    if (message.direction === 'out') {
      if (message.state !== 'failed' || store.attachments.forMessage(messageId).length === 0) throw new CoreError('INVALID_INPUT', 'nothing to retry');
      this.#transfer({ messageId, direction: 'upload', state: 'retrying', retryable: true });
      await this.#deliver(message.id as MessageId, this.#peerOf(message.conversationId), message.body === '' ? undefined : message.body);
      return;
    }
    const failure = this.#failures.get(messageId);
    if (!failure?.retryable || !this.#downloads.isPending(messageId)) throw new CoreError('INVALID_INPUT', 'nothing to retry');
    this.#transfer({ messageId, direction: 'download', state: 'retrying', retryable: true });
    this.resume();
  }

  #peerOf(conversationId: string): AccountId {
    const { store } = this.#d;
    // Group content names our own account as `to`; the group route decides who gets it.
    if (this.#d.groupRoute?.(conversationId)) return this.#d.ownAccountId;
    const conversation = store.conversations.get(conversationId);
    if (!conversation?.peerAccountId) throw new CoreError('NOT_FOUND', 'conversation');
    const peer = conversation.peerAccountId as AccountId;
    requireAcknowledgedSafetyNumber(store.contacts, peer);
    return peer;
  }

  /** Records the outgoing message and puts the (clean) file into the encrypted store; returns the message id. */
  async #store(conversationId: string, fileName: string, mimeType: string, caption: string | undefined, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<MessageId> {
    const { store, events } = this.#d;
    const id = newMessageId();
    store.messages.insert({ id, conversationId, senderAccountId: this.#d.ownAccountId, direction: 'out', body: caption ?? '', sentAt: store.clock.now(), state: 'sending' });
    try {
      await store.attachments.add({ messageId: id, fileName, mimeType }, source);
    } catch (error) {
      store.messages.updateState(id, 'failed');
      this.#emit('added', id);
      throw error;
    }
    this.#emit('added', id);
    events.conversationsChanged();
    return id;
  }

  /** Encrypts the stored file into the relay blob store (streamed from the encrypted store) and sends the pointer. */
  async #deliver(id: MessageId, peer: AccountId, caption: string | undefined): Promise<Message> {
    const { store, events } = this.#d;
    let state: 'sent' | 'failed' = 'failed';
    try {
      const message = store.messages.get(id);
      const stored = store.attachments.forMessage(id)[0];
      if (!message || !stored) throw new CoreError('NOT_FOUND', 'attachment');
      const relay = this.#d.relay();
      if (!relay?.isOpen) throw new CoreError('RELAY_UNAVAILABLE', 'relay not connected');
      const pointer = await uploadAttachment(relay, stored.size, store.attachments.open(stored.id), (done, total) =>
        events.progress?.({ messageId: id, direction: 'upload', done, total }),
      );
      const content: AttachmentContent = {
        kind: 'attachment',
        id,
        to: peer,
        sentAt: message.sentAt,
        ...pointer,
        mimeType: stored.mimeType,
        fileName: stored.fileName,
        ...(caption === undefined ? {} : { caption }),
      };
      const toGroup = this.#d.groupRoute?.(message.conversationId);
      if (toGroup) {
        if (await toGroup(content)) state = 'sent';
      } else {
        const outcome = await this.#d.sender.send(peer, encodeContent(content));
        if (outcome.peerDevices > 0) state = 'sent';
      }
    } catch (error) {
      this.#d.log.warn({ messageId: id, code: codeOf(error) }, 'attachment send failed');
    }
    store.messages.updateState(id, state);
    this.#transfer({ messageId: id, direction: 'upload', state: state === 'sent' ? 'done' : 'failed', retryable: true });
    const message = this.#d.view(id);
    if (!message) throw new CoreError('INTERNAL', 'message vanished');
    events.messageUpdated(message);
    return message;
  }

  /** Called by the applier once the message row exists; the fetch runs in the background, one at a time. */
  announced(content: AttachmentContent): void {
    this.#downloads.announced(content);
  }

  /** The relay link is (back) up: paused and pending downloads continue. */
  resume(): void {
    this.#downloads.resume();
  }

  /** Resolves when no fetch is running (tests, shutdown). */
  idle(): Promise<void> {
    return this.#downloads.idle();
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

  #transfer(transfer: AttachmentTransfer): void {
    if (transfer.state === 'done') this.#failures.delete(transfer.messageId);
    else this.#failures.set(transfer.messageId, transfer);
    this.#d.events.transfer?.(transfer);
  }

  #emit(kind: 'added' | 'updated', id: string): void {
    const message = this.#d.view(id);
    if (!message) return;
    if (kind === 'added') this.#d.events.messageAdded(message);
    else this.#d.events.messageUpdated(message);
  }
}

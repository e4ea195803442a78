/**
 * The companion phone's side of attachments: the same rules as the desktop (metadata stripped
 * from images before encryption, fresh key, relay blob store, pointer inside the message).
 */
import { downloadAttachmentBytes, uploadAttachment, type TransferProgress } from '../shared/attachments/attachment-transfer';
import { stripImageMetadata } from '../shared/attachments/image-metadata';
import type { AttachmentContent } from '../shared/messages/attachment-content';
import { newMessageId } from '../shared/messages/message-id';
import type { AccountId } from '../shared/protocol/ids';
import type { RelayClient } from '../shared/wire/relay-client';

export interface PhoneFile {
  readonly bytes: Uint8Array;
  readonly fileName: string;
  readonly mimeType: string;
  readonly caption?: string;
}

/** Cleans and uploads the file; returns the content to send (schema checks happen in encodeContent). */
export async function prepareAttachment(client: RelayClient, to: AccountId, file: PhoneFile, sentAt: number, onProgress?: TransferProgress): Promise<AttachmentContent> {
  const clean = stripImageMetadata(file.bytes, file.mimeType);
  const pointer = await uploadAttachment(client, clean.length, [clean], onProgress);
  return {
    kind: 'attachment',
    id: newMessageId(),
    to,
    sentAt,
    ...pointer,
    mimeType: file.mimeType,
    fileName: file.fileName,
    ...(file.caption === undefined ? {} : { caption: file.caption }),
  };
}

/** Downloads, decrypts and checks a received attachment (whole, in memory: the phone is a test tool). */
export function fetchAttachment(client: RelayClient, content: AttachmentContent, onProgress?: TransferProgress): Promise<Uint8Array> {
  return downloadAttachmentBytes(client, content, onProgress);
}

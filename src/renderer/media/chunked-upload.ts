/**
 * The renderer's half of the chunked upload (docs/attachments.md): the file is read slice by
 * slice (a Blob, so a 100 MB scan is never whole in memory here either) and handed to the core
 * in order. A chunk whose call failed in transit is tried once more (the core accepts a repeat of
 * the last chunk); any other failure aborts the upload so the core drops its spool at once.
 */
import type { Message } from '../../shared/api';
import type { WardlineClient } from '../api';
import { bytesToBase64 } from './attachment-data';

export interface UploadTarget {
  readonly conversationId: string;
  readonly fileName: string;
  readonly mimeType: string;
  readonly caption?: string;
}

/** Plaintext bytes handed over so far, and in total. */
export type HandOverProgress = (done: number, total: number) => void;

async function withOneRetry<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'BRIDGE_UNAVAILABLE') throw error;
    return call();
  }
}

export async function uploadInChunks(api: Pick<WardlineClient, 'call'>, target: UploadTarget, file: Blob, onProgress?: HandOverProgress): Promise<Message> {
  const { uploadId, chunkBytes } = await api.call('attachments.beginUpload', {
    conversationId: target.conversationId,
    fileName: target.fileName,
    mimeType: target.mimeType,
    size: file.size,
  });
  try {
    onProgress?.(0, file.size);
    for (let index = 0, offset = 0; offset < file.size; index++, offset += chunkBytes) {
      const data = bytesToBase64(new Uint8Array(await file.slice(offset, offset + chunkBytes).arrayBuffer()));
      const { received } = await withOneRetry(() => api.call('attachments.uploadChunk', { uploadId, index, data }));
      onProgress?.(received, file.size);
    }
    return await api.call('attachments.commitUpload', { uploadId, ...(target.caption === undefined ? {} : { caption: target.caption }) });
  } catch (error) {
    await api.call('attachments.abortUpload', { uploadId }).catch(() => undefined);
    throw error;
  }
}

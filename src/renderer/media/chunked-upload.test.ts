import { describe, expect, it } from 'vitest';
import type { ApiInput, ApiMethodName, ApiOutput } from '../../shared/api';
import { ApiCallError, type WardlineClient } from '../api';
import { base64ToBytes } from './attachment-data';
import { uploadInChunks } from './chunked-upload';

const CHUNK = 16;

/** A fake core: records the calls, and can fail one chunk call in transit or refuse one. */
function fakeCore(options: { dropChunkOnce?: number; refuseChunk?: number } = {}) {
  const calls: { method: ApiMethodName; input: unknown }[] = [];
  const received: Uint8Array[] = [];
  let dropped = false;
  const api: Pick<WardlineClient, 'call'> = {
    call<M extends ApiMethodName>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
      calls.push({ method, input });
      const answer = (value: unknown) => Promise.resolve(value as ApiOutput<M>);
      if (method === 'attachments.beginUpload') return answer({ uploadId: 'u1', chunkBytes: CHUNK });
      if (method === 'attachments.uploadChunk') {
        const { index, data } = input as ApiInput<'attachments.uploadChunk'>;
        if (index === options.refuseChunk) return Promise.reject(new ApiCallError('INVALID_INPUT', method));
        if (index === options.dropChunkOnce && !dropped) {
          dropped = true;
          // The core got it, the answer was lost.
          received[index] = base64ToBytes(data);
          return Promise.reject(new ApiCallError('BRIDGE_UNAVAILABLE', method));
        }
        received[index] = base64ToBytes(data);
        return answer({ received: received.reduce((n, r) => n + r.length, 0) });
      }
      if (method === 'attachments.commitUpload') return answer({ id: 'm1' });
      return answer(null);
    },
  };
  return { api, calls, received };
}

const file = new Uint8Array(40).map((_, i) => i);
const target = { conversationId: 'c1', fileName: 'scan.pdf', mimeType: 'application/pdf' };

describe('uploadInChunks', () => {
  it('announces the size, sends the slices in order and commits', async () => {
    const core = fakeCore();
    const progress: number[] = [];
    const message = await uploadInChunks(core.api, target, new Blob([file]), (done) => progress.push(done));
    expect(message).toEqual({ id: 'm1' });
    expect(core.calls.map((c) => c.method)).toEqual(['attachments.beginUpload', 'attachments.uploadChunk', 'attachments.uploadChunk', 'attachments.uploadChunk', 'attachments.commitUpload']);
    expect(core.calls[0]!.input).toMatchObject({ size: 40, fileName: 'scan.pdf' });
    expect(core.received.map((r) => r.length)).toEqual([16, 16, 8]);
    expect(new Uint8Array(Buffer.concat(core.received))).toEqual(file);
    expect(progress).toEqual([0, 16, 32, 40]);
  });

  it('repeats a chunk once when the call was lost in transit', async () => {
    const core = fakeCore({ dropChunkOnce: 1 });
    await uploadInChunks(core.api, target, new Blob([file]));
    const chunkCalls = core.calls.filter((c) => c.method === 'attachments.uploadChunk').map((c) => (c.input as { index: number }).index);
    expect(chunkCalls).toEqual([0, 1, 1, 2]);
  });

  it('aborts the upload when the core refuses a chunk, and reports the refusal', async () => {
    const core = fakeCore({ refuseChunk: 1 });
    await expect(uploadInChunks(core.api, target, new Blob([file]))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(core.calls.at(-1)).toEqual({ method: 'attachments.abortUpload', input: { uploadId: 'u1' } });
    expect(core.calls.some((c) => c.method === 'attachments.commitUpload')).toBe(false);
  });

  it('commits an empty file without chunks', async () => {
    const core = fakeCore();
    await uploadInChunks(core.api, target, new Blob([]));
    expect(core.calls.map((c) => c.method)).toEqual(['attachments.beginUpload', 'attachments.commitUpload']);
  });
});

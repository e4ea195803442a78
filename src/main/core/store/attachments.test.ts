import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobPath } from './attachments';
import { createStoreFixture, messageId, type StoreFixture } from './store-fixture';

let fx: StoreFixture;
let message: string;
beforeEach(() => {
  fx = createStoreFixture();
  const conversationId = fx.store.conversations.ensureDirect('peer').id;
  message = messageId();
  fx.store.messages.insert({ id: message, conversationId, senderAccountId: 'peer', direction: 'in', body: 'see attached', sentAt: fx.clock.now(), state: 'delivered' });
});
afterEach(() => fx.dispose());

const content = (n: number) => new Uint8Array(n).map((_, i) => i % 251);

describe('attachments', () => {
  it('stores content as an encrypted blob and reads it back, streamed or whole', async () => {
    const data = content(200_000);
    const meta = await fx.store.attachments.add({ messageId: message, fileName: 'ecg.pdf', mimeType: 'application/pdf' }, [data]);
    expect(meta).toMatchObject({ messageId: message, fileName: 'ecg.pdf', size: 200_000 });
    expect(fx.store.messages.get(message)?.attachmentIds).toEqual([meta.id]);
    expect(fx.store.attachments.forMessage(message).map((a) => a.id)).toEqual([meta.id]);
    expect(Buffer.compare(Buffer.from(await fx.store.attachments.read(meta.id)), Buffer.from(data))).toBe(0);
    let chunks = 0;
    for await (const part of fx.store.attachments.open(meta.id)) {
      expect(part.length).toBeLessThanOrEqual(64 * 1024);
      chunks++;
    }
    expect(chunks).toBe(4);
  });

  it('refuses an attachment for an unknown message and an unknown attachment id', async () => {
    await expect(fx.store.attachments.add({ messageId: 'nope', fileName: 'a', mimeType: 'b' }, [content(1)])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(fx.store.attachments.read('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(readdirSync(fx.store.paths.attachmentsDir)).toEqual([]);
  });

  it('detects a blob file swapped for another attachment of the same store', async () => {
    const one = await fx.store.attachments.add({ messageId: message, fileName: 'a', mimeType: 'x' }, [content(10)]);
    const two = await fx.store.attachments.add({ messageId: message, fileName: 'b', mimeType: 'x' }, [content(20)]);
    const dir = fx.store.paths.attachmentsDir;
    const { readFileSync } = await import('node:fs');
    writeFileSync(blobPath(dir, one.id), readFileSync(blobPath(dir, two.id)));
    await expect(fx.store.attachments.read(one.id)).rejects.toMatchObject({ code: 'BLOB_CORRUPT' });
  });

  it('deletes blob files together with their message', async () => {
    const meta = await fx.store.attachments.add({ messageId: message, fileName: 'a', mimeType: 'x' }, [content(10)]);
    const path = blobPath(fx.store.paths.attachmentsDir, meta.id);
    expect(existsSync(path)).toBe(true);
    expect(await fx.store.deletion.delete([message])).toEqual({ messages: 1, attachments: 1 });
    expect(existsSync(path)).toBe(false);
    expect(fx.store.attachments.get(meta.id)).toBeNull();
  });

  it('removes orphan blob and .part files but keeps live ones', async () => {
    const meta = await fx.store.attachments.add({ messageId: message, fileName: 'a', mimeType: 'x' }, [content(10)]);
    const dir = fx.store.paths.attachmentsDir;
    writeFileSync(join(dir, 'deadbeef.blob'), 'x');
    writeFileSync(join(dir, 'cafe.blob.part'), 'x');
    expect(await fx.store.attachments.removeOrphanBlobs()).toBe(2);
    expect(readdirSync(dir)).toEqual([`${meta.id}.blob`]);
  });
});

import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uploadAttachment } from '../../../shared/attachments/attachment-transfer';
import { MemoryBlobTransport } from '../../../shared/attachments/memory-blob-transport';
import { RELAY_BLOB_TRANSFER_BYTES } from '../../../shared/limits';
import type { AttachmentContent } from '../../../shared/messages/attachment-content';
import { newMessageId } from '../../../shared/messages/message-id';
import type { AccountId } from '../../../shared/protocol/ids';
import type { RelayClient } from '../../../shared/wire/relay-client';
import { createCoreLogger } from '../logging';
import { createStoreFixture, type StoreFixture } from '../store/store-fixture';
import { AttachmentDownloads, type DownloadOutcome } from './attachment-downloads';

const PEER = randomBytes(16).toString('hex') as AccountId;
const file = new Uint8Array(4 * RELAY_BLOB_TRANSFER_BYTES + 321).map((_, i) => (i * 13) & 0xff);

let fixture: StoreFixture;
let relay: MemoryBlobTransport;
/** Whether the relay link is down right now (asked whenever the core looks for a link). */
let linkDown: () => boolean;
let outcomes: DownloadOutcome[];
let stored: string[];
let downloads: AttachmentDownloads;

beforeEach(() => {
  fixture = createStoreFixture();
  relay = new MemoryBlobTransport();
  linkDown = () => false;
  outcomes = [];
  stored = [];
  downloads = new AttachmentDownloads({
    store: fixture.store,
    relay: () => (linkDown() ? null : (relay as unknown as RelayClient)),
    log: createCoreLogger({ level: 'silent' }),
    progress: () => undefined,
    stored: (id) => stored.push(id),
    outcome: (o) => outcomes.push(o),
  });
});

afterEach(async () => {
  await downloads.close();
  fixture.dispose();
});

/** An incoming attachment message whose blob is at the (memory) relay. */
async function incoming(bytes: Uint8Array = file): Promise<AttachmentContent> {
  const pointer = await uploadAttachment(relay, bytes.length, [bytes]);
  const conversation = fixture.store.conversations.ensureDirect(PEER);
  const id = newMessageId();
  fixture.store.messages.insert({ id, conversationId: conversation.id, senderAccountId: PEER, direction: 'in', body: '', sentAt: fixture.clock.now(), state: 'delivered' });
  relay.reads.length = 0;
  return { kind: 'attachment', id, to: PEER, sentAt: fixture.clock.now(), ...pointer, mimeType: 'application/pdf', fileName: 'report.pdf' };
}

async function storedBytes(messageId: string): Promise<Uint8Array> {
  const [meta] = fixture.store.attachments.forMessage(messageId);
  return fixture.store.attachments.read(meta!.id);
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
};

describe('attachment downloads', () => {
  it('fetches an announced attachment into the encrypted store', async () => {
    const content = await incoming();
    downloads.announced(content);
    await downloads.idle();
    expect(stored).toEqual([content.id]);
    expect(Buffer.from(await storedBytes(content.id)).equals(Buffer.from(file))).toBe(true);
    expect(downloads.isPending(content.id)).toBe(false);
  });

  it('waits out a dropped link and continues from where it stopped', async () => {
    const content = await incoming();
    // After two reads the connection drops: reads fail and there is no link until resume().
    relay.failAfterReads = 2;
    linkDown = () => relay.reads.length >= relay.failAfterReads;
    downloads.announced(content);
    await until(() => relay.reads.length === 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(stored).toEqual([]);
    expect(downloads.isPending(content.id)).toBe(true);
    relay.failAfterReads = Infinity;
    downloads.resume();
    await downloads.idle();
    expect(stored).toEqual([content.id]);
    expect(Buffer.from(await storedBytes(content.id)).equals(Buffer.from(file))).toBe(true);
    // Nothing was fetched twice, and no failure was reported.
    expect(new Set(relay.reads).size).toBe(relay.reads.length);
    expect(outcomes.filter((o) => o.state === 'failed')).toEqual([]);
  });

  it('reports a tampered blob as failed for good and leaves nothing in the store', async () => {
    const content = await incoming();
    relay.blobs.get(content.blobId)!.data[100]! ^= 1;
    downloads.announced(content);
    await downloads.idle();
    expect(outcomes).toEqual([{ messageId: content.id, state: 'failed', retryable: false }]);
    expect(fixture.store.attachments.forMessage(content.id)).toEqual([]);
    expect(downloads.isPending(content.id)).toBe(false);
  });

  it('gives up after repeated failures on a live link, keeps the attachment pending, and a later try succeeds', async () => {
    const content = await incoming();
    relay.failAfterReads = 1;
    downloads.announced(content);
    await downloads.idle();
    expect(outcomes).toEqual([{ messageId: content.id, state: 'failed', retryable: true }]);
    expect(downloads.isPending(content.id)).toBe(true);
    relay.failAfterReads = Infinity;
    downloads.resume();
    await downloads.idle();
    expect(outcomes.at(-1)).toEqual({ messageId: content.id, state: 'done', retryable: true });
    expect(Buffer.from(await storedBytes(content.id)).equals(Buffer.from(file))).toBe(true);
  });

  it('stops a paused download when the session ends', async () => {
    const content = await incoming();
    relay.failAfterReads = 1;
    linkDown = () => relay.reads.length >= relay.failAfterReads;
    downloads.announced(content);
    await until(() => relay.reads.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    await downloads.close();
    expect(stored).toEqual([]);
    expect(fixture.store.attachments.forMessage(content.id)).toEqual([]);
  });
});

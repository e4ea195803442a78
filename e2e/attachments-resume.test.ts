/**
 * Interrupted attachment transfers (real relay process, killed and restarted on the same port and
 * data directory): a download cut off by the relay dying continues from where it stopped once
 * the desktop has reconnected, instead of from zero; an upload that failed while the relay was
 * gone is marked failed (`attachment.transfer`) and goes through on `attachments.retry`.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import type { DesktopCore } from '../src/main/core/desktop-core';
import { createCoreLogger } from '../src/main/core/logging';
import { CompanionPhone } from '../src/phone/companion-phone';
import type { ApiEventPayload, AppState } from '../src/shared/api';
import type { AttachmentContent } from '../src/shared/messages/content';
import { coreApiCaller, createRealTimeCore, pairCoreWith, recordCoreEvents, type RecordedEvents } from './support/core-api';

const SIZE = 48 * 1024 * 1024;

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'wardline-resume-e2e-'));
  dirs.push(d);
  return d;
};
let relay: RelayProcess;
let relayData: string;
let phoneA: CompanionPhone;
let phoneB: CompanionPhone;
let phoneBData: string;
let core: DesktopCore;
let recorded: RecordedEvents;
let conversationId = '';
const call = coreApiCaller(() => core, createCoreLogger({ level: 'silent' }));

function file(size: number): Uint8Array {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) out.writeUInt32LE((i * 2246822519) >>> 0, i);
  return new Uint8Array(out);
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const connected = () => [...recorded.events].reverse().find((e) => e.event === 'state.changed')?.payload as AppState | undefined;

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function restartRelay(): Promise<void> {
  const port = relay.port;
  await relay.stop('SIGKILL');
  await until(() => connected()?.relayConnected === false, 'the drop to be noticed');
  relay = await spawnRelay({ dataDir: relayData, port });
}

beforeAll(async () => {
  relayData = tmp();
  phoneBData = tmp();
  relay = await spawnRelay({ dataDir: relayData });
  phoneA = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Noor Bakker', profession: 'Cardiology' } });
  phoneB = await CompanionPhone.create({ relayUrl: relay.url, dataDir: phoneBData, profile: { displayName: 'Dr. Jan Mertens', profession: 'Cardiology' } });
  core = await createRealTimeCore({ dataDir: tmp(), relayUrl: relay.url, workstationName: 'Cath lab' });
  recorded = recordCoreEvents(core);
  await pairCoreWith(call, recorded, phoneA);
  conversationId = (await call('conversations.start', { accountId: phoneB.accountId })).id;
}, 90_000);

afterAll(async () => {
  await core?.close();
  await phoneA?.close().catch(() => undefined);
  await phoneB?.close().catch(() => undefined);
  await relay?.stop();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
}, 60_000);

describe('interrupted attachment transfers (relay killed and restarted)', () => {
  it('resumes a download from where the dropped connection left it', async () => {
    const bytes = file(SIZE);
    const from = recorded.events.length;
    const messageId = await phoneB.sendAttachment(phoneA.accountId, { bytes, fileName: 'echo-loop.mp4', mimeType: 'video/mp4' });
    const progress = () =>
      recorded.events
        .slice(from)
        .filter((e) => e.event === 'attachment.progress')
        .map((e) => e.payload as ApiEventPayload<'attachment.progress'>)
        .filter((p) => p.messageId === messageId && p.direction === 'download');
    // Cut the relay off once the download is under way (but far from done).
    await until(() => progress().some((p) => p.done > p.total / 20), 'the download to start');
    await restartRelay();
    const reached = Math.max(...progress().map((p) => p.done));
    expect(reached).toBeLessThan(progress()[0]!.total);
    const before = progress().length;

    await recorded.waitFor('message.updated', (m) => m.id === messageId && m.attachments.length === 1, { from, timeoutMs: 120_000 });
    // After the restart the download went on from (at least) where it had got to: no new start from zero.
    const after = progress().slice(before);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.min(...after.map((p) => p.done))).toBeGreaterThanOrEqual(reached);
    expect(after.at(-1)!.done).toBe(after.at(-1)!.total);
    const [item] = await call('attachments.list', { conversationId });
    expect(item).toMatchObject({ fileName: 'echo-loop.mp4', size: SIZE });
    const stored = await call('attachments.get', { attachmentId: item!.id });
    expect(sha(Buffer.from(stored.data, 'base64'))).toBe(sha(bytes));
    // The download never counted as failed.
    expect(recorded.events.slice(from).some((e) => e.event === 'attachment.transfer')).toBe(false);
  }, 240_000);

  it('marks an upload that failed while the relay was down, and sends it on Retry', async () => {
    const port = relay.port;
    await relay.stop('SIGKILL');
    await until(() => connected()?.relayConnected === false, 'the drop to be noticed');
    const from = recorded.events.length;
    const report = file(300_000);
    const { uploadId } = await call('attachments.beginUpload', { conversationId, fileName: 'ecg.pdf', mimeType: 'application/pdf', size: report.length });
    await call('attachments.uploadChunk', { uploadId, index: 0, data: Buffer.from(report).toString('base64') });
    const failed = await call('attachments.commitUpload', { uploadId });
    expect(failed).toMatchObject({ state: 'failed', attachments: [{ kind: 'pdf', size: report.length }] });
    await recorded.waitFor('attachment.transfer', (t) => t.messageId === failed.id && t.state === 'failed' && t.direction === 'upload', { from });
    expect(await call('attachments.failures', {})).toEqual([{ messageId: failed.id, direction: 'upload', state: 'failed', retryable: true }]);

    relay = await spawnRelay({ dataDir: relayData, port });
    await until(() => connected()?.relayConnected === true, 'the reconnect');
    // Phone B's connection died with the old relay process: open it again to receive.
    await phoneB.close().catch(() => undefined);
    phoneB = await CompanionPhone.open({ dataDir: phoneBData, relayUrl: relay.url });
    await call('attachments.retry', { messageId: failed.id });
    await recorded.waitFor('message.updated', (m) => m.id === failed.id && m.state === 'sent', { from });
    await recorded.waitFor('attachment.transfer', (t) => t.messageId === failed.id && t.state === 'done', { from });
    expect(await call('attachments.failures', {})).toEqual([]);
    const received = await phoneB.waitForMessage((m) => m.content.kind === 'attachment' && m.content.id === failed.id, 30_000);
    expect(sha(await phoneB.fetchAttachment(received.content as AttachmentContent))).toBe(sha(report));
    // A message that did not fail has nothing to retry.
    expect(await call('attachments.retry', { messageId: failed.id }).catch((e: unknown) => (e as { code: string }).code)).toBe('INVALID_INPUT');
  }, 120_000);
});

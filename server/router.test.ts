import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../src/shared/clock';
import { RELAY_ONLINE_GRACE_MAX_MS } from '../src/shared/limits';
import { newDeviceId, newEnvelopeId, type DeviceId, type EnvelopeId } from '../src/shared/protocol/ids';
import { encodeSealedEnvelope } from '../src/shared/protocol/sealed-envelope';
import { CLOSE_CODES } from '../src/shared/wire/close-codes';
import { openRelayDatabase, type RelayDatabase } from './database';
import type { DeviceRecord, Directory } from './directory';
import { OfflineQueue, type Settlement } from './offline-queue';
import { Router } from './router';
import { RecordingPeer } from './testing/recording-peer';
import type { Sessions } from './sessions';

const GRACE_MS = 50;
const opened: RelayDatabase[] = [];
let monotonic = 0;

beforeEach(() => {
  monotonic = 1000;
  vi.useFakeTimers();
  // Hold windows and ack delays are measured on the monotonic clock.
  vi.spyOn(performance, 'now').mockImplementation(() => monotonic);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  for (const db of opened.splice(0)) if (db.open) db.close();
});

/** Moves monotonic time and the queue's timers forward together. */
function advance(ms: number): void {
  monotonic += ms;
  vi.advanceTimersByTime(ms);
}

function relayOver(dir: string, graceMs = GRACE_MS, known?: DeviceRecord) {
  const db = openRelayDatabase(dir, 'normal');
  opened.push(db);
  const queue = new OfflineQueue(db, { flushIntervalMs: 5, maxPerDevice: 1000, onWriteError: (e) => { throw e; }, now: () => monotonic });
  const clock = new FakeClock(1_764_000_000_000);
  const devices = new Map<DeviceId, DeviceRecord>();
  const directory = { device: (id: DeviceId) => devices.get(id) } as unknown as Directory;
  const sessions = { checkExpiry: () => false } as unknown as Sessions;
  const router = new Router(directory, queue, sessions, clock, 30 * 24 * 3600_000, graceMs);
  const recipient: DeviceRecord = known ?? { deviceId: newDeviceId(), accountId: newDeviceId() as never, kind: 'phone', signingKey: new Uint8Array(32), authorisedAt: 0, state: 'active' };
  devices.set(recipient.deviceId, recipient);
  const rows = () => db.prepare<[], number>('SELECT count(*) FROM envelopes').pluck().get();
  const envelope = (id: EnvelopeId = newEnvelopeId()) =>
    encodeSealedEnvelope({ to: recipient.deviceId, id, sentAt: clock.now(), expiresAt: clock.now() + 3600_000, ciphertext: new Uint8Array(64).fill(9) });
  return { db, queue, router, recipient, rows, envelope };
}

const freshDir = () => mkdtempSync(join(tmpdir(), 'wardline-router-'));

describe('routing to an online recipient (the hold window)', () => {
  it('an envelope acked within the window is never written; its sender hears "delivered"', () => {
    const { router, recipient, rows, envelope } = relayOver(freshDir());
    const peer = new RecordingPeer();
    const link = router.attach(recipient, peer);
    const settled: Settlement[] = [];
    const id = newEnvelopeId();
    router.route(envelope(id), (how) => settled.push(how));
    expect(peer.delivered).toEqual([id]);
    expect(settled).toEqual([]);
    advance(GRACE_MS - 1);
    expect(router.ack(link, [id])).toBe(1);
    expect(settled).toEqual(['delivered']);
    advance(10 * RELAY_ONLINE_GRACE_MAX_MS);
    expect(rows()).toBe(0);
  });

  it('an envelope not acked within the window is written, its sender hears "stored", and it is delivered again on reconnect', () => {
    const { router, queue, recipient, rows, envelope } = relayOver(freshDir());
    const peer = new RecordingPeer();
    const link = router.attach(recipient, peer);
    const settled: Settlement[] = [];
    const id = newEnvelopeId();
    router.route(envelope(id), (how) => settled.push(how));
    advance(GRACE_MS - 1);
    expect(rows()).toBe(0);
    expect(settled).toEqual([]);
    advance(2);
    expect(rows()).toBe(1);
    expect(settled).toEqual(['stored']);
    // The device goes away without acking; the envelope waits on disk for its next connection.
    peer.close(CLOSE_CODES.GOING_AWAY);
    router.detach(link);
    const again = new RecordingPeer();
    const second = router.attach(recipient, again);
    expect(again.delivered).toEqual([id]);
    expect(router.ack(second, id)).toBe(1);
    queue.flush();
    expect(rows()).toBe(0);
    expect(settled).toEqual(['stored']);
  });

  it('an offline recipient is not held: its envelope goes to the next commit', () => {
    const { router, rows, envelope } = relayOver(freshDir());
    const settled: Settlement[] = [];
    router.route(envelope(), (how) => settled.push(how));
    advance(5);
    expect(rows()).toBe(1);
    expect(settled).toEqual(['stored']);
  });

  it('a relay killed inside the window has not answered the sender; the resent envelope is delivered once', () => {
    const dir = freshDir();
    const first = relayOver(dir);
    const peer = new RecordingPeer();
    first.router.attach(first.recipient, peer);
    const settled: Settlement[] = [];
    const id = newEnvelopeId();
    const bytes = first.envelope(id);
    first.router.route(bytes, (how) => settled.push(how));
    expect(peer.delivered).toEqual([id]);
    // kill -9: nothing flushed. The envelope was only in memory, and the sender never got an ok.
    vi.clearAllTimers();
    const second = relayOver(dir, GRACE_MS, first.recipient);
    expect(second.rows()).toBe(0);
    expect(settled).toEqual([]);
    // The sender, unanswered, resends the same envelope (same id) after reconnecting.
    const resentTo = new RecordingPeer();
    const link = second.router.attach(first.recipient, resentTo);
    second.router.route(bytes, (how) => settled.push(how));
    expect(resentTo.delivered).toEqual([id]);
    second.router.ack(link, id);
    expect(settled).toEqual(['delivered']);
  });

  it('the window follows the recent ack delay, between the configured grace and the maximum', () => {
    const { router, recipient, envelope } = relayOver(freshDir());
    const link = router.attach(recipient, new RecordingPeer());
    expect(router.holdMs).toBe(GRACE_MS);
    const ackAfter = (delayMs: number, times: number) => {
      for (let k = 0; k < times; k++) {
        const id = newEnvelopeId();
        router.route(envelope(id), () => undefined);
        monotonic += delayMs;
        router.ack(link, id);
      }
    };
    ackAfter(1, 200);
    expect(router.holdMs).toBe(GRACE_MS);
    ackAfter(100, 400);
    expect(router.holdMs).toBeGreaterThan(300);
    expect(router.holdMs).toBeLessThanOrEqual(400);
    ackAfter(5000, 400);
    expect(router.holdMs).toBe(RELAY_ONLINE_GRACE_MAX_MS);
  });

  it('with no grace configured nothing is held', () => {
    const { router, recipient, rows, envelope } = relayOver(freshDir(), 0);
    router.attach(recipient, new RecordingPeer());
    expect(router.holdMs).toBe(0);
    router.route(envelope(), () => undefined);
    advance(5);
    expect(rows()).toBe(1);
  });
});

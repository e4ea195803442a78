import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/shared/clock';
import { newDeviceId, newEnvelopeId, type EnvelopeId } from '../src/shared/protocol/ids';
import { decodeRelayFrame } from '../src/shared/wire/frames';
import { openRelayDatabase, type RelayDatabase } from './database';
import { DeviceLink } from './device-link';
import type { DeviceRecord } from './directory';
import { OfflineQueue } from './offline-queue';
import type { Peer } from './peer';

/** A socket whose send buffer the test controls: frames stay "buffered" until written(). */
class SlowPeer implements Peer {
  readonly id = 1;
  readonly address = '127.0.0.1';
  readonly isOpen = true;
  bufferedAmount = 0;
  delivered: EnvelopeId[] = [];
  #callbacks: (() => void)[] = [];
  send(): void {
    throw new Error('not used on the delivery path');
  }
  sendEncoded(bytes: Uint8Array, onWritten?: () => void): void {
    const frame = decodeRelayFrame(bytes);
    if (frame.t === 'deliver') this.delivered.push(frame.i);
    this.bufferedAmount += bytes.length;
    if (onWritten) this.#callbacks.push(onWritten);
  }
  close(): void {}
  written(): void {
    this.bufferedAmount = 0;
    for (const cb of this.#callbacks.splice(0)) cb();
  }
}

const opened: { db: RelayDatabase; queue: OfflineQueue }[] = [];
afterEach(() => {
  for (const { db, queue } of opened.splice(0)) {
    queue.close();
    db.close();
  }
});

function setup() {
  const db = openRelayDatabase(mkdtempSync(join(tmpdir(), 'wardline-link-')), 'normal');
  const queue = new OfflineQueue(db, { flushIntervalMs: 60_000, maxPerDevice: 100_000, onWriteError: (e) => { throw e; } });
  opened.push({ db, queue });
  const clock = new FakeClock();
  const device: DeviceRecord = { deviceId: newDeviceId(), accountId: newDeviceId() as never, kind: 'phone', signingKey: new Uint8Array(32), authorisedAt: 0, state: 'active' };
  const peer = new SlowPeer();
  const link = new DeviceLink(device, peer, queue, clock);
  const put = (size = 100, expiresAt = clock.now() + 1_000_000) => {
    const id = newEnvelopeId();
    const { entry } = queue.enqueue(device.deviceId, id, expiresAt, new Uint8Array(size), () => undefined);
    if (entry) link.offer(entry);
    return id;
  };
  return { queue, clock, peer, link, put, device };
}

describe('delivery to one device', () => {
  it('reports the delivery-to-ack delay of in-flight envelopes only, and refills after a batch only when asked', () => {
    const { peer, put, queue, device } = setup();
    const delays: number[] = [];
    const link = new DeviceLink(device, peer, queue, new FakeClock(), (ms) => delays.push(ms));
    const ids = Array.from({ length: 300 }, () => put());
    link.pump();
    expect(peer.delivered.slice(-256)).toEqual(ids.slice(0, 256));
    const before = peer.delivered.length;
    expect(link.ack(ids[0]!, false)).toBe(true);
    expect(link.ack(ids[0]!, false)).toBe(false);
    expect(link.ack(newEnvelopeId())).toBe(false);
    expect(link.ack(ids[299]!)).toBe(false);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(0);
    // Without refill the window stays one short until the batch's single pump.
    expect(peer.delivered.length).toBe(before);
    link.pump();
    expect(peer.delivered.at(-1)).toBe(ids[256]);
  });

  it('stops at the in-flight window until acks arrive, keeping queue order', () => {
    const { peer, link, put, queue } = setup();
    const ids = Array.from({ length: 300 }, () => put());
    queue.flush();
    expect(peer.delivered).toEqual(ids.slice(0, 256));
    for (const id of ids.slice(0, 10)) link.ack(id);
    expect(peer.delivered).toEqual(ids.slice(0, 266));
    for (const id of ids.slice(10)) link.ack(id);
    expect(peer.delivered).toEqual(ids);
  });

  it('pauses while the socket buffer is full (slow reader) and resumes when it drains', () => {
    const { peer, link, put } = setup();
    const ids = Array.from({ length: 20 }, () => put(100_000));
    const first = peer.delivered.length;
    expect(first).toBeLessThan(20);
    expect(first).toBeGreaterThan(0);
    peer.written();
    expect(peer.delivered.length).toBeGreaterThan(first);
    while (peer.delivered.length < 20) peer.written();
    expect(peer.delivered).toEqual(ids);
    link.pump();
  });

  it('pages from the durable queue after falling behind, without loss or reordering', () => {
    const { peer, link, put, queue } = setup();
    const ids = Array.from({ length: 3000 }, () => put(10));
    queue.flush();
    for (let i = 0; i < 3000 && peer.delivered.length < 3000; i++) {
      for (const id of peer.delivered.slice(i === 0 ? 0 : -256)) link.ack(id);
    }
    expect(peer.delivered).toEqual(ids);
  });

  it('skips envelopes already expired when their turn comes', () => {
    const { peer, put, clock, link } = setup();
    const gone = put(10, clock.now() + 10);
    const kept = put(10);
    expect(peer.delivered).toEqual([gone, kept]);
    clock.advance(100);
    const later = put(10, clock.now() - 1);
    link.pump();
    expect(peer.delivered).not.toContain(later);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newDeviceId, newEnvelopeId } from '../src/shared/protocol/ids';
import { openRelayDatabase, type RelayDatabase } from './database';
import { OfflineQueue, type Settlement } from './offline-queue';

const open: RelayDatabase[] = [];
function fresh(dir = mkdtempSync(join(tmpdir(), 'wardline-queue-')), maxPerDevice = 100) {
  const db = openRelayDatabase(dir, 'normal');
  open.push(db);
  const queue = new OfflineQueue(db, { flushIntervalMs: 60_000, maxPerDevice, onWriteError: (e) => { throw e; } });
  return { dir, db, queue };
}
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});
const rows = (db: RelayDatabase) => db.prepare<[], number>('SELECT count(*) FROM envelopes').pluck().get();

describe('offline queue', () => {
  it('settles a sender only once the batch is written, and pages in order', () => {
    const { db, queue } = fresh();
    const device = newDeviceId();
    const settled: Settlement[] = [];
    const ids = [newEnvelopeId(), newEnvelopeId(), newEnvelopeId()];
    for (const id of ids) queue.enqueue(device, id, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), (s) => settled.push(s));
    expect(settled).toEqual([]);
    expect(rows(db)).toBe(0);
    // Unwritten envelopes are already visible to delivery.
    expect(queue.page(device, 0, 10).map((e) => e.envelopeId)).toEqual(ids);
    queue.flush();
    expect(settled).toEqual(['stored', 'stored', 'stored']);
    expect(rows(db)).toBe(3);
    const [first] = queue.page(device, 0, 1);
    expect(queue.page(device, first!.seq, 10).map((e) => e.envelopeId)).toEqual(ids.slice(1));
  });

  it('never writes an envelope acked before its batch flushed', () => {
    const { db, queue } = fresh();
    const device = newDeviceId();
    const id = newEnvelopeId();
    const settled: Settlement[] = [];
    queue.enqueue(device, id, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), (s) => settled.push(s));
    queue.ack(device, id);
    expect(settled).toEqual(['delivered']);
    queue.flush();
    expect(rows(db)).toBe(0);
    expect(settled).toEqual(['delivered']);
    expect(queue.count(device)).toBe(0);
  });

  it('deletes an acked envelope that was already written', () => {
    const { db, queue } = fresh();
    const device = newDeviceId();
    const id = newEnvelopeId();
    queue.enqueue(device, id, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), () => undefined);
    queue.flush();
    queue.ack(device, id);
    queue.flush();
    expect(rows(db)).toBe(0);
  });

  it('does not page an acked envelope whose delete is not yet written', () => {
    const { queue } = fresh();
    const device = newDeviceId();
    const [a, b] = [newEnvelopeId(), newEnvelopeId()];
    for (const id of [a, b]) queue.enqueue(device, id, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), () => undefined);
    queue.flush();
    queue.ack(device, a);
    expect(queue.page(device, 0, 10).map((e) => e.envelopeId)).toEqual([b]);
  });

  it('is idempotent for a duplicate envelope id, pending or written', () => {
    const { db, queue } = fresh();
    const device = newDeviceId();
    const id = newEnvelopeId();
    const settled: string[] = [];
    queue.enqueue(device, id, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), (s) => settled.push(`a:${s}`));
    expect(queue.enqueue(device, id, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), (s) => settled.push(`b:${s}`)).result).toBe('duplicate');
    queue.flush();
    expect(settled).toEqual(['a:stored', 'b:stored']);
    expect(queue.enqueue(device, id, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), (s) => settled.push(`c:${s}`)).result).toBe('duplicate');
    expect(settled).toContain('c:stored');
    expect(rows(db)).toBe(1);
    expect(queue.count(device)).toBe(1);
    // The same id for another device is another envelope.
    expect(queue.enqueue(newDeviceId(), id, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), () => undefined).result).toBe('queued');
  });

  it('refuses beyond the per-device bound', () => {
    const { queue } = fresh(undefined, 2);
    const device = newDeviceId();
    const put = () => queue.enqueue(device, newEnvelopeId(), Number.MAX_SAFE_INTEGER, new Uint8Array([1]), () => undefined).result;
    expect([put(), put(), put()]).toEqual(['queued', 'queued', 'full']);
    expect(queue.enqueue(newDeviceId(), newEnvelopeId(), 1, new Uint8Array([1]), () => undefined).result).toBe('queued');
  });

  it('expires envelopes at their expiry time', () => {
    const { db, queue } = fresh();
    const device = newDeviceId();
    queue.enqueue(device, newEnvelopeId(), 1000, new Uint8Array([1]), () => undefined);
    const keep = newEnvelopeId();
    queue.enqueue(device, keep, 2000, new Uint8Array([1]), () => undefined);
    expect(queue.expire(999)).toBe(0);
    expect(queue.expire(1000)).toBe(1);
    expect(rows(db)).toBe(1);
    expect(queue.count(device)).toBe(1);
    expect(queue.page(device, 0, 10).map((e) => e.envelopeId)).toEqual([keep]);
  });

  it('survives reopening: counts, order and new sequence numbers continue', () => {
    const { dir, db, queue } = fresh();
    const device = newDeviceId();
    const first = newEnvelopeId();
    queue.enqueue(device, first, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), () => undefined);
    queue.close();
    db.close();
    const again = fresh(dir);
    expect(again.queue.count(device)).toBe(1);
    const second = newEnvelopeId();
    again.queue.enqueue(device, second, Number.MAX_SAFE_INTEGER, new Uint8Array([2]), () => undefined);
    expect(again.queue.page(device, 0, 10).map((e) => e.envelopeId)).toEqual([first, second]);
  });

  describe('grace period for online recipients (holdMs)', () => {
    function timed() {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      let t = 0;
      const db = openRelayDatabase(mkdtempSync(join(tmpdir(), 'wardline-queue-')), 'normal');
      open.push(db);
      const queue = new OfflineQueue(db, { flushIntervalMs: 5, maxPerDevice: 100, now: () => t, onWriteError: (e) => { throw e; } });
      const advance = (ms: number) => {
        t += ms;
        vi.advanceTimersByTime(ms);
      };
      return { db, queue, advance };
    }
    afterEach(() => {
      vi.useRealTimers();
    });

    it('keeps a held envelope off the disk while the commits for others go on, and never writes it once acked', () => {
      const { db, queue, advance } = timed();
      const online = newDeviceId();
      const offline = newDeviceId();
      const held = newEnvelopeId();
      const settled: string[] = [];
      queue.enqueue(online, held, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), (s) => settled.push(`held:${s}`), 50);
      queue.enqueue(offline, newEnvelopeId(), Number.MAX_SAFE_INTEGER, new Uint8Array([2]), (s) => settled.push(`other:${s}`));
      advance(5);
      expect(settled).toEqual(['other:stored']);
      expect(rows(db)).toBe(1);
      advance(40);
      queue.ack(online, held);
      expect(settled).toEqual(['other:stored', 'held:delivered']);
      advance(100);
      expect(rows(db)).toBe(1);
      expect(queue.count(online)).toBe(0);
      expect(queue.page(online, 0, 10)).toEqual([]);
    });

    it('writes a held envelope when its grace period ends unacked, and only then settles its sender', () => {
      const { db, queue, advance } = timed();
      const device = newDeviceId();
      const id = newEnvelopeId();
      const settled: string[] = [];
      queue.enqueue(device, id, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), (s) => settled.push(s), 50);
      advance(49);
      expect(settled).toEqual([]);
      expect(rows(db)).toBe(0);
      advance(1);
      expect(settled).toEqual(['stored']);
      expect(rows(db)).toBe(1);
      // A late ack deletes the written row.
      queue.ack(device, id);
      advance(5);
      expect(rows(db)).toBe(0);
    });

    it('a forced flush (shutdown) writes held envelopes at once', () => {
      const { db, queue } = timed();
      const settled: string[] = [];
      queue.enqueue(newDeviceId(), newEnvelopeId(), Number.MAX_SAFE_INTEGER, new Uint8Array([1]), (s) => settled.push(s), 10_000);
      queue.close();
      expect(settled).toEqual(['stored']);
      expect(rows(db)).toBe(1);
    });

    it('pages a held envelope in sequence order with rows written after it', () => {
      const { queue, advance } = timed();
      const device = newDeviceId();
      const [first, second] = [newEnvelopeId(), newEnvelopeId()];
      queue.enqueue(device, first, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), () => undefined, 50);
      // The recipient went offline: the next envelope for it is written at the next commit.
      queue.enqueue(device, second, Number.MAX_SAFE_INTEGER, new Uint8Array([2]), () => undefined);
      advance(5);
      expect(queue.page(device, 0, 10).map((e) => e.envelopeId)).toEqual([first, second]);
      expect(queue.page(device, 0, 1).map((e) => e.envelopeId)).toEqual([first]);
    });

    it('detects a duplicate of a written envelope after a held one for the same device', () => {
      const { queue, advance } = timed();
      const device = newDeviceId();
      const id = newEnvelopeId();
      queue.enqueue(device, id, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), () => undefined);
      advance(5);
      queue.enqueue(device, newEnvelopeId(), Number.MAX_SAFE_INTEGER, new Uint8Array([1]), () => undefined, 50);
      const settled: string[] = [];
      expect(queue.enqueue(device, id, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), (s) => settled.push(s), 50).result).toBe('duplicate');
      expect(settled).toEqual(['stored']);
      expect(queue.count(device)).toBe(2);
    });
  });

  describe('WAL fsync off the event loop (syncFile)', () => {
    function synced() {
      const db = openRelayDatabase(mkdtempSync(join(tmpdir(), 'wardline-queue-')), 'full');
      open.push(db);
      const queue = new OfflineQueue(db, { flushIntervalMs: 60_000, maxPerDevice: 100, syncFile: `${db.name}-wal`, onWriteError: (e) => { throw e; } });
      return { db, queue };
    }
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
    };

    it('settles a committed envelope only after the fsync, and a duplicate with it', async () => {
      const { db, queue } = synced();
      const device = newDeviceId();
      const [a, b] = [newEnvelopeId(), newEnvelopeId()];
      queue.enqueue(device, a, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), () => undefined);
      queue.flush();
      queue.ack(device, a);
      const settled: string[] = [];
      queue.enqueue(device, b, Number.MAX_SAFE_INTEGER, new Uint8Array([2]), (s) => settled.push(`b:${s}`));
      // Paging with a delete pending commits (not forced): b is on disk but its fsync is not done yet.
      expect(queue.page(device, 0, 10).map((e) => e.envelopeId)).toEqual([b]);
      expect(rows(db)).toBe(1);
      expect(settled).toEqual([]);
      expect(queue.enqueue(device, b, Number.MAX_SAFE_INTEGER, new Uint8Array([2]), (s) => settled.push(`dup:${s}`)).result).toBe('duplicate');
      await until(() => settled.length === 2);
      expect(settled).toEqual(['b:stored', 'dup:stored']);
      expect(queue.count(device)).toBe(1);
    });

    it('an ack that arrives between commit and fsync settles as delivered and deletes the row', async () => {
      const { db, queue } = synced();
      const device = newDeviceId();
      const [a, b] = [newEnvelopeId(), newEnvelopeId()];
      queue.enqueue(device, a, Number.MAX_SAFE_INTEGER, new Uint8Array([1]), () => undefined);
      queue.flush();
      queue.ack(device, a);
      const settled: string[] = [];
      queue.enqueue(device, b, Number.MAX_SAFE_INTEGER, new Uint8Array([2]), (s) => settled.push(s));
      queue.page(device, 0, 10);
      queue.ack(device, b);
      expect(settled).toEqual(['delivered']);
      queue.flush();
      await new Promise((r) => setTimeout(r, 50));
      expect(settled).toEqual(['delivered']);
      expect(rows(db)).toBe(0);
      expect(queue.count(device)).toBe(0);
      expect(queue.page(device, 0, 10)).toEqual([]);
    });
  });

  it('drops a device queue at once', () => {
    const { db, queue } = fresh();
    const device = newDeviceId();
    queue.enqueue(device, newEnvelopeId(), Number.MAX_SAFE_INTEGER, new Uint8Array([1]), () => undefined);
    queue.flush();
    queue.enqueue(device, newEnvelopeId(), Number.MAX_SAFE_INTEGER, new Uint8Array([1]), () => undefined);
    queue.dropDevice(device);
    queue.flush();
    expect(rows(db)).toBe(0);
    expect(queue.count(device)).toBe(0);
  });
});

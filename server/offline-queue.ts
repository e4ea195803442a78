/**
 * The durable per-device envelope queue, with group commit: new envelopes and acks collect in
 * memory for a few milliseconds and are written in one transaction. A sender is acknowledged
 * only after that commit (or after the recipient acked, whichever comes first), so a crash never
 * loses an envelope a sender was told is safe. An envelope acked before its batch is written
 * never touches the disk at all.
 */
import type { DeviceId, EnvelopeId } from '../src/shared/protocol/ids';
import type { RelayDatabase } from './database';

export type Settlement = 'stored' | 'delivered';

export interface QueuedEnvelope {
  readonly seq: number;
  readonly deviceId: DeviceId;
  readonly envelopeId: EnvelopeId;
  readonly expiresAt: number;
  readonly bytes: Uint8Array;
}

interface PendingEnvelope extends QueuedEnvelope {
  /** Settled before the write (acked by the recipient or dropped): skip the disk. */
  done: boolean;
  settle: ((how: Settlement) => void)[];
}

export type EnqueueResult = 'queued' | 'duplicate' | 'full';

export interface OfflineQueueOptions {
  readonly flushIntervalMs: number;
  readonly maxPerDevice: number;
  /** Called when a write fails; the pending batch is kept and retried. */
  readonly onWriteError: (error: unknown) => void;
}

const FLUSH_AT_ONCE = 2000;

interface Row {
  seq: number;
  device_id: string;
  envelope_id: string;
  expires_at: number;
  envelope: Uint8Array;
}

export class OfflineQueue {
  #pending: PendingEnvelope[] = [];
  readonly #pendingByKey = new Map<string, PendingEnvelope>();
  #deletes: [DeviceId, EnvelopeId][] = [];
  readonly #counts = new Map<DeviceId, number>();
  #nextSeq: number;
  #timer: NodeJS.Timeout | undefined;
  readonly #sql;

  constructor(
    private readonly db: RelayDatabase,
    private readonly options: OfflineQueueOptions,
  ) {
    this.#sql = {
      insert: db.prepare('INSERT OR IGNORE INTO envelopes (seq, device_id, envelope_id, expires_at, envelope) VALUES (?, ?, ?, ?, ?)'),
      remove: db.prepare('DELETE FROM envelopes WHERE device_id = ? AND envelope_id = ?'),
      exists: db.prepare<[string, string], number>('SELECT 1 FROM envelopes WHERE device_id = ? AND envelope_id = ?').pluck(),
      page: db.prepare<[string, number, number], Row>(
        'SELECT seq, device_id, envelope_id, expires_at, envelope FROM envelopes WHERE device_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      dropDevice: db.prepare('DELETE FROM envelopes WHERE device_id = ?'),
      expiredCounts: db.prepare<[number], { device_id: string; n: number }>(
        'SELECT device_id, count(*) AS n FROM envelopes WHERE expires_at <= ? GROUP BY device_id',
      ),
      expire: db.prepare('DELETE FROM envelopes WHERE expires_at <= ?'),
    };
    this.#nextSeq = (db.prepare<[], number | null>('SELECT max(seq) FROM envelopes').pluck().get() ?? 0) + 1;
    for (const row of db.prepare<[], { device_id: string; n: number }>('SELECT device_id, count(*) AS n FROM envelopes GROUP BY device_id').all()) {
      this.#counts.set(row.device_id as DeviceId, row.n);
    }
  }

  count(deviceId: DeviceId): number {
    return this.#counts.get(deviceId) ?? 0;
  }

  get totalQueued(): number {
    let total = 0;
    for (const n of this.#counts.values()) total += n;
    return total;
  }

  get pendingWrites(): number {
    return this.#pending.length + this.#deletes.length;
  }

  /**
   * Queues an envelope; `settle` is called once it is durable or acked. A duplicate (same device,
   * same envelope id) still queued is not queued twice: its sender is settled like the first.
   */
  enqueue(
    deviceId: DeviceId,
    envelopeId: EnvelopeId,
    expiresAt: number,
    bytes: Uint8Array,
    settle: (how: Settlement) => void,
  ): { result: EnqueueResult; entry?: QueuedEnvelope } {
    const key = deviceId + envelopeId;
    const twin = this.#pendingByKey.get(key);
    if (twin) {
      if (twin.done) settle('delivered');
      else twin.settle.push(settle);
      return { result: 'duplicate' };
    }
    const count = this.count(deviceId);
    // With nothing queued for the device no written row can match: skip the lookup.
    if (count > 0 && this.#sql.exists.get(deviceId, envelopeId)) {
      settle('stored');
      return { result: 'duplicate' };
    }
    if (count >= this.options.maxPerDevice) return { result: 'full' };
    const entry: PendingEnvelope = { seq: this.#nextSeq++, deviceId, envelopeId, expiresAt, bytes, done: false, settle: [settle] };
    this.#pending.push(entry);
    this.#pendingByKey.set(key, entry);
    this.#counts.set(deviceId, count + 1);
    this.#schedule();
    return { result: 'queued', entry };
  }

  /** The recipient has the envelope; forget it (ignored if unknown). */
  ack(deviceId: DeviceId, envelopeId: EnvelopeId): void {
    const pending = this.#pendingByKey.get(deviceId + envelopeId);
    if (pending) {
      if (pending.done) return;
      this.#finish(pending, 'delivered');
    } else {
      this.#deletes.push([deviceId, envelopeId]);
      this.#schedule();
    }
    this.#decrement(deviceId, 1);
  }

  /** Up to `limit` queued envelopes after `afterSeq`, in order: written ones first, then the batch. */
  page(deviceId: DeviceId, afterSeq: number, limit: number): QueuedEnvelope[] {
    // Acked rows not yet deleted would otherwise be read back and delivered again.
    if (this.#deletes.length) this.flush();
    const rows = this.#sql.page.all(deviceId, afterSeq, limit);
    const out: QueuedEnvelope[] = rows.map((r) => ({
      seq: r.seq,
      deviceId: r.device_id as DeviceId,
      envelopeId: r.envelope_id as EnvelopeId,
      expiresAt: r.expires_at,
      bytes: r.envelope,
    }));
    if (out.length < limit) {
      for (const p of this.#pending) {
        if (out.length >= limit) break;
        if (p.deviceId === deviceId && !p.done && p.seq > afterSeq) out.push(p);
      }
    }
    return out;
  }

  /** Removes everything queued for a device (revoked or expired); durable at once. */
  dropDevice(deviceId: DeviceId): void {
    for (const p of this.#pending) if (p.deviceId === deviceId && !p.done) this.#finish(p, 'stored');
    this.#sql.dropDevice.run(deviceId);
    this.#counts.delete(deviceId);
  }

  /** Deletes envelopes whose expiry has passed; returns how many. */
  expire(now: number): number {
    this.flush();
    let removed = 0;
    for (const row of this.#sql.expiredCounts.all(now)) {
      this.#decrement(row.device_id as DeviceId, row.n);
      removed += row.n;
    }
    if (removed) this.#sql.expire.run(now);
    return removed;
  }

  /** Writes the pending batch now; settles the senders of everything written. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#pending.length && !this.#deletes.length) return;
    const batch = this.#pending;
    const deletes = this.#deletes;
    try {
      this.db.transaction(() => {
        for (const p of batch) if (!p.done) this.#sql.insert.run(p.seq, p.deviceId, p.envelopeId, p.expiresAt, p.bytes);
        for (const [d, e] of deletes) this.#sql.remove.run(d, e);
      })();
    } catch (error) {
      this.options.onWriteError(error);
      this.#schedule();
      return;
    }
    this.#pending = [];
    this.#deletes = [];
    for (const p of batch) {
      this.#pendingByKey.delete(p.deviceId + p.envelopeId);
      if (!p.done) this.#finish(p, 'stored');
    }
  }

  close(): void {
    this.flush();
  }

  #finish(p: PendingEnvelope, how: Settlement): void {
    p.done = true;
    for (const settle of p.settle) settle(how);
    p.settle = [];
  }

  #decrement(deviceId: DeviceId, n: number): void {
    const left = (this.#counts.get(deviceId) ?? 0) - n;
    if (left > 0) this.#counts.set(deviceId, left);
    else this.#counts.delete(deviceId);
  }

  #schedule(): void {
    if (this.#pending.length + this.#deletes.length >= FLUSH_AT_ONCE) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.flush(), 0);
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => this.flush(), this.options.flushIntervalMs);
    }
  }
}

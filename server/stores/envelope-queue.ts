/**
 * The durable per-device envelope queue as routing and delivery use it, whichever engine holds
 * it: SQLite with group commit (server/offline-queue.ts, the default) or a Redis stream per
 * device shared by several relay nodes (server/cluster/redis-queue.ts). A sender is settled
 * only once its envelope is durable ('stored') or its recipient acked it ('delivered').
 */
import type { DeviceId, EnvelopeId } from '../../src/shared/protocol/ids';

export type Settlement = 'stored' | 'delivered';

export interface QueuedEnvelope {
  readonly seq: number;
  readonly deviceId: DeviceId;
  readonly envelopeId: EnvelopeId;
  readonly expiresAt: number;
  readonly bytes: Uint8Array;
}

export type EnqueueResult = 'queued' | 'duplicate' | 'full';

export interface EnvelopeQueue {
  count(deviceId: DeviceId): number;
  readonly totalQueued: number;
  readonly pendingWrites: number;
  /**
   * Queues an envelope; `settle` is called once it is durable or acked. `holdMs`: the recipient
   * is online here and may ack soon; the engine may keep it in memory only for that long.
   */
  enqueue(
    deviceId: DeviceId,
    envelopeId: EnvelopeId,
    expiresAt: number,
    bytes: Uint8Array,
    settle: (how: Settlement) => void,
    holdMs?: number,
  ): { result: EnqueueResult; entry?: QueuedEnvelope };
  /** The recipient has the envelope; forget it (ignored if unknown). */
  ack(deviceId: DeviceId, envelopeId: EnvelopeId): void;
  /** Up to `limit` queued envelopes after `afterSeq`, in order. */
  page(deviceId: DeviceId, afterSeq: number, limit: number): QueuedEnvelope[];
  /** Removes everything queued for a device (revoked or expired). */
  dropDevice(deviceId: DeviceId): void;
  /** Deletes envelopes whose expiry has passed; returns how many (if known at once). */
  expire(now: number): number;
  flush(): void;
  close(): void;
}

/**
 * The pairing handshake runs over an abstract duplex channel of opaque messages, so it can be
 * tested in memory and run over the relay's rendezvous channel (pairing-rendezvous.ts) alike.
 */
import { copyBytes } from '../bytes';
import { WardlineError } from '../errors';
import { runtimeTimers, type Timers } from '../wire/timers';

export const PAIRING_ERROR_CODES = [
  /** The phone user declined the confirmation code (or the phone told the desktop so). */
  'REJECTED',
  /** The peer, or the user's approval, did not come in time. */
  'TIMEOUT',
  /** The channel closed before the handshake finished. */
  'CHANNEL_CLOSED',
  /** The desktop or phone could not finish its own part (e.g. publishing the device list failed). */
  'ABORTED',
] as const;
export type PairingErrorCode = (typeof PAIRING_ERROR_CODES)[number];
export class PairingError extends WardlineError<PairingErrorCode> {}

export interface PairingChannel {
  send(message: Uint8Array): Promise<void>;
  /** The handshake registers exactly one handler, before it sends anything. */
  onMessage(handler: (message: Uint8Array) => void): void;
  onClose(handler: () => void): void;
  close(): void;
}

/** Turns the push-style channel into "wait for the next message, or fail after a while". */
export class ChannelReader {
  readonly #queue: Uint8Array[] = [];
  #closed = false;
  #waiter: { resolve: (m: Uint8Array) => void; reject: (e: Error) => void } | null = null;
  readonly #timers: Timers;

  constructor(channel: PairingChannel, timers: Timers = runtimeTimers) {
    this.#timers = timers;
    channel.onMessage((m) => {
      if (this.#waiter) {
        const w = this.#waiter;
        this.#waiter = null;
        w.resolve(m);
      } else this.#queue.push(m);
    });
    channel.onClose(() => {
      this.#closed = true;
      const w = this.#waiter;
      this.#waiter = null;
      w?.reject(new PairingError('CHANNEL_CLOSED', 'pairing channel closed'));
    });
  }

  next(timeoutMs: number): Promise<Uint8Array> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#closed) return Promise.reject(new PairingError('CHANNEL_CLOSED', 'pairing channel closed'));
    if (this.#waiter) return Promise.reject(new Error('ChannelReader: one reader at a time'));
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = this.#timers.setTimeout(() => {
        this.#waiter = null;
        reject(new PairingError('TIMEOUT', 'pairing peer did not answer in time'));
      }, Math.max(0, timeoutMs));
      this.#waiter = {
        resolve: (m) => {
          this.#timers.clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          this.#timers.clearTimeout(timer);
          reject(e);
        },
      };
    });
  }
}

function defer(fn: () => void): void {
  void Promise.resolve().then(fn);
}

/** Two connected in-memory channel ends (tests, and anything that pairs in one process). Delivery is asynchronous, like a network. */
export function createMemoryChannelPair(): [PairingChannel, PairingChannel] {
  interface End {
    handler: ((m: Uint8Array) => void) | null;
    early: Uint8Array[];
    closeHandlers: (() => void)[];
    closed: boolean;
  }
  const ends: [End, End] = [
    { handler: null, early: [], closeHandlers: [], closed: false },
    { handler: null, early: [], closeHandlers: [], closed: false },
  ];
  const closeAll = (): void => {
    for (const e of ends) {
      if (e.closed) continue;
      e.closed = true;
      for (const h of e.closeHandlers) defer(h);
    }
  };
  const make = (self: End, peer: End): PairingChannel => ({
    send: (message) => {
      if (self.closed) return Promise.reject(new PairingError('CHANNEL_CLOSED', 'pairing channel closed'));
      const copy = copyBytes(message);
      defer(() => {
        if (peer.closed) return;
        if (peer.handler) peer.handler(copy);
        else peer.early.push(copy);
      });
      return Promise.resolve();
    },
    onMessage: (handler) => {
      self.handler = handler;
      for (const m of self.early.splice(0)) handler(m);
    },
    onClose: (handler) => {
      self.closeHandlers.push(handler);
    },
    // Deferred so that messages sent before close() still arrive, as on an ordered network channel.
    close: () => defer(closeAll),
  });
  return [make(ends[0], ends[1]), make(ends[1], ends[0])];
}

/**
 * Pairing rendezvous as connections use it: in one process (server/rendezvous.ts, the default)
 * or across relay nodes through Redis (server/cluster/redis-rendezvous.ts), where the phone and
 * the desktop may be connected to different nodes.
 */
import type { Peer } from '../peer';
import type { MaybePromise } from './directory-store';

export interface RendezvousService {
  readonly channelCount: number;
  /** Whether the connection holds a channel (it may stay unauthenticated meanwhile). */
  holds(peer: Peer): boolean;
  /** Returns the number of parties after joining. Throws (or rejects with) RelayError. */
  open(peer: Peer, id: string): MaybePromise<number>;
  send(peer: Peer, id: string, message: Uint8Array): MaybePromise<void>;
  close(peer: Peer, id: string): void;
  /** A connection went away: its channels end and the other parties are told. */
  leave(peer: Peer): void;
  sweep(now?: number): void;
}

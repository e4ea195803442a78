/**
 * Pairing rendezvous: a short-lived, unauthenticated channel between the desktop showing a QR
 * code and the phone that scanned it. At most two parties; messages are forwarded opaquely (the
 * pairing handshake inside is end-to-end encrypted). A channel is one-shot: once closed or
 * expired its id cannot be opened again until its TTL has passed.
 */
import type { Clock } from '../src/shared/clock';
import { RENDEZVOUS_MAX_MESSAGES } from '../src/shared/limits';
import type { RendezvousCloseReason } from '../src/shared/wire/frames';
import { RelayError } from '../src/shared/wire/relay-error';
import type { Peer } from './peer';
import type { RendezvousService } from './stores/rendezvous-service';
import type { KeyedTokenBuckets } from './token-bucket';

/** Channels one connection may hold at once. */
const MAX_CHANNELS_PER_PEER = 4;

interface Channel {
  readonly id: string;
  readonly expiresAt: number;
  readonly parties: Peer[];
  /** Set once a second party joined: the channel never accepts a new party after that. */
  wasFull: boolean;
  messages: number;
  /** Messages sent before the peer joined, delivered when it does. */
  readonly waiting: Uint8Array[];
}

/** Rendezvous within one relay process (the default). */
export class Rendezvous implements RendezvousService {
  readonly #channels = new Map<string, Channel>();
  /** Ids of finished channels, kept until their TTL so they stay one-shot. */
  readonly #spent = new Map<string, number>();
  readonly #byPeer = new Map<Peer, Set<string>>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly opensPerAddress: KeyedTokenBuckets,
  ) {}

  get channelCount(): number {
    return this.#channels.size;
  }

  holds(peer: Peer): boolean {
    return (this.#byPeer.get(peer)?.size ?? 0) > 0;
  }

  /** Returns the number of parties after joining. */
  open(peer: Peer, id: string): number {
    const now = this.clock.now();
    this.sweep(now);
    if (this.#spent.has(id)) throw new RelayError('RENDEZVOUS_CLOSED');
    const mine = this.#byPeer.get(peer) ?? new Set<string>();
    const existing = this.#channels.get(id);
    if (existing) {
      if (existing.parties.includes(peer)) return existing.parties.length;
      if (existing.wasFull || existing.parties.length >= 2) throw new RelayError('RENDEZVOUS_FULL');
      if (mine.size >= MAX_CHANNELS_PER_PEER) throw new RelayError('RATE_LIMITED');
      const [first] = existing.parties;
      existing.parties.push(peer);
      existing.wasFull = true;
      this.#remember(peer, mine, id);
      if (first) first.send({ t: 'rv-peer', c: id });
      for (const m of existing.waiting.splice(0)) peer.send({ t: 'rv-msg', c: id, m });
      return 2;
    }
    if (mine.size >= MAX_CHANNELS_PER_PEER || !this.opensPerAddress.take(peer.address)) throw new RelayError('RATE_LIMITED');
    this.#channels.set(id, { id, expiresAt: now + this.ttlMs, parties: [peer], wasFull: false, messages: 0, waiting: [] });
    this.#remember(peer, mine, id);
    return 1;
  }

  send(peer: Peer, id: string, message: Uint8Array): void {
    const channel = this.#channels.get(id);
    if (!channel || !channel.parties.includes(peer)) throw new RelayError('RENDEZVOUS_CLOSED');
    if (channel.expiresAt <= this.clock.now()) {
      this.#finish(channel, 'expired');
      throw new RelayError('RENDEZVOUS_CLOSED');
    }
    if (++channel.messages > RENDEZVOUS_MAX_MESSAGES) throw new RelayError('RATE_LIMITED');
    const other = channel.parties.find((p) => p !== peer);
    if (other) other.send({ t: 'rv-msg', c: id, m: message });
    else channel.waiting.push(message);
  }

  /** The pairing is over (or abandoned): the channel is gone for both parties. */
  close(peer: Peer, id: string): void {
    const channel = this.#channels.get(id);
    if (channel?.parties.includes(peer)) this.#finish(channel, 'closed', peer);
  }

  /** A connection went away: its channels end and the other parties are told. */
  leave(peer: Peer): void {
    for (const id of [...(this.#byPeer.get(peer) ?? [])]) {
      const channel = this.#channels.get(id);
      if (channel) this.#finish(channel, 'peer-left', peer);
    }
    this.#byPeer.delete(peer);
  }

  sweep(now = this.clock.now()): void {
    for (const channel of [...this.#channels.values()]) if (channel.expiresAt <= now) this.#finish(channel, 'expired');
    for (const [id, until] of this.#spent) if (until <= now) this.#spent.delete(id);
  }

  #remember(peer: Peer, mine: Set<string>, id: string): void {
    mine.add(id);
    this.#byPeer.set(peer, mine);
  }

  #finish(channel: Channel, why: RendezvousCloseReason, by?: Peer): void {
    this.#channels.delete(channel.id);
    // Remembered for a further TTL so a replayed QR code cannot reopen it.
    this.#spent.set(channel.id, this.clock.now() + this.ttlMs);
    for (const p of channel.parties) {
      this.#byPeer.get(p)?.delete(channel.id);
      if (p !== by && p.isOpen) p.send({ t: 'rv-closed', c: channel.id, why });
    }
    channel.waiting.length = 0;
  }
}

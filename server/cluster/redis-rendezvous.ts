/**
 * Pairing rendezvous across relay nodes: the desktop showing the QR code and the phone that
 * scanned it may be connected to different nodes. The channel lives in Redis (`wl:rv:C`: the two
 * parties as node|connection, the message count; `wl:rvq:C`: messages sent before the second
 * party joined; `wl:rvx:C`: the id is spent). Events for a party go to its node's channel and the
 * node hands them to the connection. Same rules as one node: two parties at most, one-shot ids,
 * a message cap, a TTL (checked by each party's node on its own clock).
 */
import type { Clock } from '../../src/shared/clock';
import { RENDEZVOUS_MAX_MESSAGES } from '../../src/shared/limits';
import type { RendezvousCloseReason } from '../../src/shared/wire/frames';
import { RelayError } from '../../src/shared/wire/relay-error';
import type { Logger } from '../logging';
import type { Peer } from '../peer';
import type { RendezvousService } from '../stores/rendezvous-service';
import type { KeyedTokenBuckets } from '../token-bucket';
import { encodeClusterMessage, type RendezvousMessage } from './cluster-messages';
import { LuaScript, replyArray, replyText, type RedisLink } from './redis-link';

const MAX_CHANNELS_PER_PEER = 4;
type Role = 'a' | 'b';
const other = (role: Role): Role => (role === 'a' ? 'b' : 'a');
const keys = (id: string) => [`wl:rv:${id}`, `wl:rvq:${id}`, `wl:rvx:${id}`];

/** KEYS: rv, rvq, rvx. ARGV: party, ttl, expiry, 'peer' event for party a. */
const OPEN = new LuaScript(`
if redis.call('EXISTS', KEYS[3]) == 1 then return {'closed'} end
local a = redis.call('HGET', KEYS[1], 'a')
if not a then
  redis.call('HSET', KEYS[1], 'a', ARGV[1], 'exp', ARGV[3], 'n', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'a', ARGV[3]}
end
local b = redis.call('HGET', KEYS[1], 'b')
if a == ARGV[1] or b == ARGV[1] then return {'same', redis.call('HGET', KEYS[1], 'exp'), b and 2 or 1} end
if b then return {'full'} end
redis.call('HSET', KEYS[1], 'b', ARGV[1])
local out = {'b', redis.call('HGET', KEYS[1], 'exp')}
for _, m in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do table.insert(out, m) end
redis.call('DEL', KEYS[2])
redis.call('PUBLISH', 'wl:node:' .. string.match(a, '^([^|]+)|'), ARGV[4])
return out
`);

/** KEYS: rv, rvq. ARGV: sender's role, cap, 'msg' event for the other party, message, ttl. */
const SEND = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 'closed' end
if redis.call('HINCRBY', KEYS[1], 'n', 1) > tonumber(ARGV[2]) then return 'rate' end
local to = redis.call('HGET', KEYS[1], (ARGV[1] == 'a') and 'b' or 'a')
if to then
  redis.call('PUBLISH', 'wl:node:' .. string.match(to, '^([^|]+)|'), ARGV[3])
else
  redis.call('RPUSH', KEYS[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[5])
end
return 'ok'
`);

/** KEYS: rv, rvq, rvx. ARGV: finishing party's role, 'closed' event for the other party, ttl. */
const FINISH = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local to = redis.call('HGET', KEYS[1], (ARGV[1] == 'a') and 'b' or 'a')
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
if to then redis.call('PUBLISH', 'wl:node:' .. string.match(to, '^([^|]+)|'), ARGV[2]) end
return 1
`);

interface Membership {
  readonly id: string;
  readonly role: Role;
  readonly expiresAt: number;
  readonly peer: Peer;
}

export class RedisRendezvous implements RendezvousService {
  /** Parties connected to this node, by channel and role (both may be here). */
  readonly #byChannel = new Map<string, Map<Role, Membership>>();
  readonly #byPeer = new Map<Peer, Map<string, Membership>>();

  constructor(
    private readonly redis: RedisLink,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    /** Per node: an address's opens are limited on each node it reaches. */
    private readonly opensPerAddress: KeyedTokenBuckets,
    private readonly log: Logger,
  ) {}

  get channelCount(): number {
    return this.#byChannel.size;
  }

  holds(peer: Peer): boolean {
    return (this.#byPeer.get(peer)?.size ?? 0) > 0;
  }

  open(peer: Peer, id: string): Promise<number> {
    const mine = this.#byPeer.get(peer);
    if (mine?.has(id)) return Promise.resolve(this.#byChannel.get(id)?.size ?? 1);
    if ((mine?.size ?? 0) >= MAX_CHANNELS_PER_PEER || !this.opensPerAddress.take(peer.address)) throw new RelayError('RATE_LIMITED');
    const expiresAt = this.clock.now() + this.ttlMs;
    const party = `${this.redis.nodeId}|${peer.id}`;
    const joined = this.#event({ k: 'rv', c: id, to: 'a', ev: 'peer' });
    return OPEN.run(this.redis.commands, keys(id), [party, this.ttlMs, expiresAt, joined]).then((reply) => {
      const [outcome, exp, ...rest] = replyArray(reply);
      const until = Number(replyText(exp));
      switch (replyText(outcome)) {
        case 'closed':
          throw new RelayError('RENDEZVOUS_CLOSED');
        case 'full':
          throw new RelayError('RENDEZVOUS_FULL');
        case 'same':
          return Number(rest[0]) || 1;
        case 'a':
        case 'b': {
          const role = replyText(outcome) as Role;
          const membership: Membership = { id, role, expiresAt: until, peer };
          this.#remember(membership);
          // The connection went away while Redis answered: end the channel as if it left now.
          if (!peer.isOpen) this.#finish(membership, 'peer-left', false);
          else for (const m of rest) if (m instanceof Uint8Array) peer.send({ t: 'rv-msg', c: id, m: new Uint8Array(m) });
          return role === 'a' ? 1 : 2;
        }
        default:
          throw new RelayError('INTERNAL');
      }
    });
  }

  send(peer: Peer, id: string, message: Uint8Array): Promise<void> {
    const membership = this.#byPeer.get(peer)?.get(id);
    if (!membership) throw new RelayError('RENDEZVOUS_CLOSED');
    if (membership.expiresAt <= this.clock.now()) {
      this.#finish(membership, 'expired', true);
      throw new RelayError('RENDEZVOUS_CLOSED');
    }
    const event = this.#event({ k: 'rv', c: id, to: other(membership.role), ev: 'msg', m: message as Uint8Array<ArrayBuffer> });
    return SEND.run(this.redis.commands, keys(id).slice(0, 2), [membership.role, RENDEZVOUS_MAX_MESSAGES, event, message, this.ttlMs]).then((reply) => {
      const outcome = replyText(reply);
      if (outcome === 'rate') throw new RelayError('RATE_LIMITED');
      if (outcome !== 'ok') {
        this.#forget(membership);
        throw new RelayError('RENDEZVOUS_CLOSED');
      }
    });
  }

  close(peer: Peer, id: string): void {
    const membership = this.#byPeer.get(peer)?.get(id);
    if (membership) this.#finish(membership, 'closed', false);
  }

  leave(peer: Peer): void {
    for (const membership of [...(this.#byPeer.get(peer)?.values() ?? [])]) this.#finish(membership, 'peer-left', false);
    this.#byPeer.delete(peer);
  }

  sweep(now = this.clock.now()): void {
    for (const parties of [...this.#byChannel.values()]) {
      for (const membership of [...parties.values()]) if (membership.expiresAt <= now) this.#finish(membership, 'expired', true);
    }
  }

  /** An event from another node (or this one) for a party connected here. */
  deliver(message: RendezvousMessage): void {
    const membership = this.#byChannel.get(message.c)?.get(message.to);
    if (!membership) return;
    const { peer } = membership;
    switch (message.ev) {
      case 'peer':
        peer.send({ t: 'rv-peer', c: message.c });
        return;
      case 'msg':
        if (message.m) peer.send({ t: 'rv-msg', c: message.c, m: message.m });
        return;
      case 'closed':
        this.#forget(membership);
        if (peer.isOpen) peer.send({ t: 'rv-closed', c: message.c, why: message.why ?? 'closed' });
    }
  }

  /** `tellSelf`: the party itself is told too (expiry); a party that closed or left is not. */
  #finish(membership: Membership, why: RendezvousCloseReason, tellSelf: boolean): void {
    this.#forget(membership);
    if (tellSelf && membership.peer.isOpen) membership.peer.send({ t: 'rv-closed', c: membership.id, why });
    const event = this.#event({ k: 'rv', c: membership.id, to: other(membership.role), ev: 'closed', why });
    FINISH.run(this.redis.commands, keys(membership.id), [membership.role, event, this.ttlMs]).catch((error: unknown) =>
      this.log.error({ code: 'STORE_UNAVAILABLE', err: String(error) }, 'rendezvous close failed'),
    );
  }

  #remember(membership: Membership): void {
    const parties = this.#byChannel.get(membership.id) ?? new Map<Role, Membership>();
    parties.set(membership.role, membership);
    this.#byChannel.set(membership.id, parties);
    const mine = this.#byPeer.get(membership.peer) ?? new Map<string, Membership>();
    mine.set(membership.id, membership);
    this.#byPeer.set(membership.peer, mine);
  }

  #forget(membership: Membership): void {
    const parties = this.#byChannel.get(membership.id);
    if (parties?.get(membership.role) === membership) parties.delete(membership.role);
    if (parties?.size === 0) this.#byChannel.delete(membership.id);
    this.#byPeer.get(membership.peer)?.delete(membership.id);
  }

  #event(message: RendezvousMessage): Uint8Array {
    return encodeClusterMessage(message);
  }
}

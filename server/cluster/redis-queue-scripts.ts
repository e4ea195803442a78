/** Lua scripts of the Redis envelope queue and device presence. */
import { LuaScript } from './redis-link';

/**
 * Appends an envelope to its device's stream unless the same envelope id is queued or the stream
 * is full, indexes it for acks and expiry, and, when the device is connected to another node,
 * publishes it to that node in the same atomic step: an envelope is therefore durable before any
 * node delivers it, and a node that claims the device after this step loads it from the stream.
 * KEYS: q, qi, qexp, at. ARGV: envelope id, expiry, bytes, max, expiry member, own node, message.
 * Returns {outcome, envelopes queued on all nodes}.
 */
export const ENQUEUE = new LuaScript(`
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return {'dup', redis.call('ZCARD', KEYS[3])} end
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[4]) then return {'full', redis.call('ZCARD', KEYS[3])} end
local sid = redis.call('XADD', KEYS[1], '*', 'e', ARGV[1], 'x', ARGV[2], 'b', ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], sid)
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[5])
local at = redis.call('GET', KEYS[4])
if at and at ~= ARGV[6] then redis.call('PUBLISH', 'wl:node:' .. at, ARGV[7]) end
return {'ok', redis.call('ZCARD', KEYS[3])}
`);

/** Forgets an acknowledged (or expired) envelope. KEYS: q, qi, qexp. ARGV: envelope id, expiry member. Returns envelopes queued. */
export const ACK = new LuaScript(`
local sid = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[2])
if sid then
  redis.call('XDEL', KEYS[1], sid)
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return redis.call('ZCARD', KEYS[3])
`);

/** Drops a device's whole queue (revoked or expired). KEYS: q, qi, qexp. ARGV: device id. */
export const DROP = new LuaScript(`
for _, e in ipairs(redis.call('HKEYS', KEYS[2])) do redis.call('ZREM', KEYS[3], ARGV[1] .. '/' .. e) end
redis.call('DEL', KEYS[1], KEYS[2])
return redis.call('ZCARD', KEYS[3])
`);

/** This node now holds the device's connection. KEYS: at. ARGV: node, ttl. Returns the previous holder or ''. */
export const CLAIM = new LuaScript(`
local old = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return old or ''
`);

/**
 * Extends the claim if this node still holds it (or takes it again if it lapsed, e.g. Redis
 * restarted without it). KEYS: at. ARGV: node, ttl. Returns 1, or 0 when another node took it.
 */
export const REFRESH = new LuaScript(`
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

/** Gives the claim up if this node still holds it. KEYS: at. ARGV: node. */
export const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`);

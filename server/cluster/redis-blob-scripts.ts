/**
 * Lua scripts for the shared blob index (server/cluster/redis-blobs.ts): quota check and
 * reservation in one step, and an append that moves the received offset only from where the
 * writer found it, so two nodes can never both claim the same range.
 */
import { LuaScript } from './redis-link';

/** KEYS: blob hash, expiry index, owner index. ARGV: owner, size, now, expiresAt, quota, id. 1 = created, 0 = over quota. */
export const CREATE_BLOB = new LuaScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[3])
local total = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  local s = redis.call('HGET', 'wl:blob:' .. id, 's')
  if s then total = total + tonumber(s) end
end
if total + tonumber(ARGV[2]) > tonumber(ARGV[5]) then return 0 end
redis.call('HSET', KEYS[1], 'o', ARGV[1], 's', ARGV[2], 'n', 0, 'e', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[6])
return 1
`);

/**
 * KEYS: blob hash. ARGV: offset, end. Returns the received count after the call, or -1 when the
 * blob is gone, -2 when another writer moved the offset somewhere this piece does not fit.
 */
export const ADVANCE_BLOB = new LuaScript(`
local n = redis.call('HGET', KEYS[1], 'n')
if not n then return -1 end
n = tonumber(n)
if n == tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'n', ARGV[2])
  return tonumber(ARGV[2])
end
if n >= tonumber(ARGV[2]) then return n end
return -2
`);

/** KEYS: blob hash, expiry index. ARGV: id. Idempotent: a second sweeper finds nothing to do. */
export const REMOVE_BLOB = new LuaScript(`
local owner = redis.call('HGET', KEYS[1], 'o')
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if owner then redis.call('ZREM', 'wl:blobs:own:' .. owner, ARGV[1]) end
return 1
`);

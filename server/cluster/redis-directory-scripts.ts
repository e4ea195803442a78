/** Lua scripts of the Redis directory: each is one atomic step across every relay node. */
import { LuaScript } from './redis-link';

/**
 * Stores a verified device list only if its version is newer than the one held (two nodes may
 * accept lists for the same account at once), adds its new devices (a device keeps the time it
 * was first authorised, which starts a desktop's session clock), stores wipe commands, and tells
 * every node. KEYS: acct, acctv, dev, devst, wipe. ARGV: account, version, record, message,
 * device count, then id/record pairs, then id/command pairs. Returns 1, or 0 when stale.
 */
export const PUBLISH_LIST = new LuaScript(`
local v = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if v >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local n = tonumber(ARGV[5])
local i = 6
for _ = 1, n do
  if redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 1]) == 1 then redis.call('HSET', KEYS[4], ARGV[i], 'active') end
  i = i + 2
end
while i <= #ARGV do
  redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 1])
  i = i + 2
end
redis.call('PUBLISH', 'wl:dir', ARGV[4])
return 1
`);

/** Retires an active device for good and drops its prekeys. KEYS: devst, spk, otp. ARGV: device, state, message. */
export const RETIRE = new LuaScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= 'active' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
redis.call('PUBLISH', 'wl:dir', ARGV[3])
return 1
`);

/** Adds one-time prekeys up to the cap, ignoring ids held. KEYS: otp. ARGV: cap, then id/key pairs. Returns how many are held. */
export const PUT_ONE_TIME_PREKEYS = new LuaScript(`
local held = redis.call('HLEN', KEYS[1])
local cap = tonumber(ARGV[1])
local i = 2
while i <= #ARGV and held < cap do
  held = held + redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
  i = i + 2
end
return held
`);

/**
 * For each device: its signed prekey and the one-time prekey with the lowest id, which is
 * deleted in the same step, so concurrent requests on any nodes never get the same one.
 * KEYS: spk, then otp per device. ARGV: device ids. Returns {device, signed, id, key} per
 * device with a signed prekey (id and key empty when none is left).
 */
export const TAKE_BUNDLES = new LuaScript(`
local out = {}
for n = 1, #ARGV do
  local signed = redis.call('HGET', KEYS[1], ARGV[n])
  if signed then
    local best
    for _, id in ipairs(redis.call('HKEYS', KEYS[n + 1])) do
      local num = tonumber(id)
      if num and (best == nil or num < best) then best = num end
    end
    local key = ''
    local id = ''
    if best then
      id = tostring(best)
      key = redis.call('HGET', KEYS[n + 1], id)
      redis.call('HDEL', KEYS[n + 1], id)
    end
    table.insert(out, ARGV[n]); table.insert(out, signed); table.insert(out, id); table.insert(out, key)
  end
end
return out
`);

/** Stores an attestation within the per-account cap. KEYS: att, attn. ARGV: field, name, blob, cap, message. Returns 1 or 0 (cap). */
export const PUT_ATTESTATION = new LuaScript(`
if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0 and redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 0 end
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('PUBLISH', 'wl:dir', ARGV[5])
return 1
`);

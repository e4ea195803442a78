/**
 * Prekeys in Redis, never in a node's memory: `wl:spk` (device id → signed prekey) and
 * `wl:otp:D` (key id → one-time prekey of device D). A one-time prekey is taken by a script, so
 * it is handed out once however many nodes are asked at the same time.
 */
import type { Redis } from 'ioredis';
import { RELAY_MAX_ONE_TIME_PREKEYS_PER_DEVICE } from '../../src/shared/limits';
import type { DeviceId } from '../../src/shared/protocol/ids';
import type { OneTimePrekey, PrekeyBundle } from '../stores/directory-store';
import { PUT_ONE_TIME_PREKEYS, TAKE_BUNDLES } from './redis-directory-scripts';
import { replyArray, replyText } from './redis-link';

export const prekeyKeys = {
  signed: 'wl:spk',
  oneTime: (d: DeviceId) => `wl:otp:${d}`,
} as const;

const ID = /^[0-9a-f]{32}$/;

export class RedisPrekeys {
  constructor(private readonly redis: Redis) {}

  async putSigned(deviceId: DeviceId, prekey: Uint8Array): Promise<void> {
    await this.redis.hset(prekeyKeys.signed, deviceId, Buffer.from(prekey));
  }

  /** Adds keys (ignoring ids held) up to the per-device cap; returns how many are held. */
  async putOneTime(deviceId: DeviceId, keys: readonly OneTimePrekey[]): Promise<number> {
    const args: (number | Uint8Array)[] = [RELAY_MAX_ONE_TIME_PREKEYS_PER_DEVICE];
    for (const key of keys) args.push(key.i, key.k);
    return Number(await PUT_ONE_TIME_PREKEYS.run(this.redis, [prekeyKeys.oneTime(deviceId)], args));
  }

  countOneTime(deviceId: DeviceId): Promise<number> {
    return this.redis.hlen(prekeyKeys.oneTime(deviceId));
  }

  /** For each device with a signed prekey: that key and one one-time prekey, taken for good. */
  async takeBundles(devices: readonly DeviceId[]): Promise<PrekeyBundle[]> {
    if (!devices.length) return [];
    const reply = replyArray(await TAKE_BUNDLES.run(this.redis, [prekeyKeys.signed, ...devices.map(prekeyKeys.oneTime)], devices));
    const bundles: PrekeyBundle[] = [];
    for (let i = 0; i + 3 < reply.length; i += 4) {
      const d = replyText(reply[i]);
      const s = reply[i + 1];
      const id = Number(replyText(reply[i + 2]) || NaN);
      const k = reply[i + 3];
      if (!d || !ID.test(d) || !(s instanceof Uint8Array)) continue;
      bundles.push(Number.isSafeInteger(id) && k instanceof Uint8Array && k.length ? { d: d as DeviceId, s, o: { i: id, k } } : { d: d as DeviceId, s });
    }
    return bundles;
  }
}

/**
 * Pairwise group fan-out: one content encrypted once per device of every recipient account over
 * the ordinary 1:1 sessions (docs/trust-and-groups.md, "Groups"). Own other devices get a copy
 * only when asked: a broadcast recipient's view must never reach the admin's own desktop, which
 * holds the full list.
 */
import { encodeContent, type AnyContent } from '../shared/messages/content';
import type { DeviceList } from '../shared/protocol/device-list';
import { devicesNeedingBundles, fanOut } from '../shared/protocol/fan-out';
import type { AccountId, DeviceId } from '../shared/protocol/ids';
import type { PrekeyBundle } from '../shared/protocol/prekeys';
import type { MessagingContext } from './phone-messaging';

/** Envelopes handed to the relay at once; the relay answers each when it is durable. */
const SEND_BATCH = 128;

export interface GroupSendResult {
  /** Accounts none of whose devices could be reached (no device list, no prekeys). */
  readonly unreachable: readonly AccountId[];
  readonly envelopes: number;
}

export async function sendToAccounts(ctx: MessagingContext, accounts: readonly AccountId[], content: AnyContent, options: { readonly ownCopies: boolean }): Promise<GroupSendResult> {
  const { client, cipher } = ctx;
  const lists: DeviceList[] = [];
  const unreachable: AccountId[] = [];
  for (const accountId of new Set(accounts)) {
    if (accountId === cipher.accountId) continue;
    try {
      lists.push(ctx.directory.cached(accountId) ?? (await ctx.directory.refresh(client, accountId)));
    } catch {
      unreachable.push(accountId);
    }
  }
  const own: DeviceList = options.ownCopies ? ctx.ownList : { ...ctx.ownList, devices: ctx.ownList.devices.filter((d) => d.deviceId === cipher.deviceId) };
  const bundles = new Map<DeviceId, PrekeyBundle>();
  const needing = await devicesNeedingBundles(cipher, lists, own);
  for (const accountId of new Set(needing.map((t) => t.accountId))) {
    try {
      for (const b of await client.getPrekeyBundles(accountId)) {
        bundles.set(b.deviceId, { accountId, deviceId: b.deviceId, signedPrekey: b.signedPrekey, ...(b.oneTimePrekey ? { oneTimePrekey: b.oneTimePrekey } : {}) });
      }
    } catch {
      // Counted below as unreachable if no device of the account got an envelope.
    }
  }
  const result = await fanOut(cipher, { recipients: lists, own }, encodeContent(content), { bundles });
  for (let i = 0; i < result.envelopes.length; i += SEND_BATCH) {
    await Promise.all(result.envelopes.slice(i, i + SEND_BATCH).map((e) => client.send(e.bytes)));
  }
  const reached = new Set(result.envelopes.map((e) => e.accountId));
  for (const list of lists) if (!reached.has(list.accountId)) unreachable.push(list.accountId);
  return { unreachable, envelopes: result.envelopes.length };
}

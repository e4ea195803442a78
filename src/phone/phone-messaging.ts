/**
 * The phone's end-to-end messaging over the relay: fan-out of one content to every device that
 * should get it, and decryption with the sender's device list (fetched once more if the cached
 * one does not know the sending device yet, e.g. a desktop linked a moment ago).
 */
import { ProtocolError } from '../shared/errors';
import { encodeContent, type AnyContent } from '../shared/messages/content';
import type { DeviceList } from '../shared/protocol/device-list';
import { devicesNeedingBundles, fanOut, type FanOutResult } from '../shared/protocol/fan-out';
import type { AccountId, DeviceId } from '../shared/protocol/ids';
import type { PrekeyBundle } from '../shared/protocol/prekeys';
import type { DecryptedMessage, SessionCipher } from '../shared/protocol/session-cipher';
import type { RelayClient } from '../shared/wire/relay-client';
import type { AccountDirectory } from './account-directory';
import { PhoneError } from './phone-error';

export interface MessagingContext {
  readonly client: RelayClient;
  readonly cipher: SessionCipher;
  readonly directory: AccountDirectory;
  readonly ownList: DeviceList;
}

/** Encrypts `content` for every device of `to` and every other own device, and hands the envelopes to the relay. */
export async function sendContent(ctx: MessagingContext, to: AccountId, content: AnyContent): Promise<FanOutResult> {
  const { client, cipher } = ctx;
  const recipients = to === cipher.accountId ? [] : [await ctx.directory.refresh(client, to)];
  const bundles = new Map<DeviceId, PrekeyBundle>();
  const needing = await devicesNeedingBundles(cipher, recipients, ctx.ownList);
  for (const accountId of new Set(needing.map((t) => t.accountId))) {
    for (const b of await client.getPrekeyBundles(accountId)) {
      bundles.set(b.deviceId, { accountId, deviceId: b.deviceId, signedPrekey: b.signedPrekey, ...(b.oneTimePrekey ? { oneTimePrekey: b.oneTimePrekey } : {}) });
    }
  }
  const result = await fanOut(cipher, { recipients, own: ctx.ownList }, encodeContent(content), { bundles });
  for (const e of result.envelopes) await client.send(e.bytes);
  if (recipients.length && !result.envelopes.some((e) => e.accountId === to)) throw new PhoneError('UNREACHABLE', 'no device of the recipient could be reached');
  return result;
}

export async function decryptEnvelope(ctx: MessagingContext, envelope: Uint8Array): Promise<DecryptedMessage> {
  const resolve = async (accountId: AccountId, fresh: boolean): Promise<DeviceList | undefined> => {
    if (accountId === ctx.cipher.accountId) return ctx.ownList;
    return (!fresh && ctx.directory.cached(accountId)) || (await ctx.directory.refresh(ctx.client, accountId));
  };
  try {
    return await ctx.cipher.decrypt(envelope, (a) => resolve(a, false));
  } catch (error) {
    // Sealed-sender checks run before any session state changes, so a second try is safe.
    if (error instanceof ProtocolError && (error.code === 'UNKNOWN_SENDER' || error.code === 'BAD_CERTIFICATE')) {
      return ctx.cipher.decrypt(envelope, (a) => resolve(a, true));
    }
    throw error;
  }
}

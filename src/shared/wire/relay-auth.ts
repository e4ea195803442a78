/**
 * What a device signs to authenticate: the relay's fresh nonce, the relay's authority (the
 * host[:port] the device itself dialled) and who it claims to be. Binding the authority means a
 * signature a rogue relay collects cannot be replayed to another relay; binding the nonce means
 * it cannot be replayed at all.
 */
import { z } from 'zod';
import { encodeCbor } from '../protocol/codec';
import type { AccountId, DeviceId } from '../protocol/ids';
import type { SecretKey } from '../protocol/identity';
import { sign } from '../protocol/signing';

/** `ws://Host:80/x` → `host`, `wss://relay.example:8443/` → `relay.example:8443`; undefined if not a ws(s) URL. */
export function relayAuthority(url: string): string | undefined {
  const m = /^(wss?):\/\/([^/?#@\s]+)(?:[/?#]|$)/i.exec(url);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const authority = m[2]!.toLowerCase();
  const defaultPort = scheme === 'wss' ? ':443' : ':80';
  return authority.endsWith(defaultPort) ? authority.slice(0, -defaultPort.length) : authority;
}

export const zRelayAuthority = z.string().min(1).max(256);

export function relayAuthBody(nonce: Uint8Array, authority: string, accountId: AccountId, deviceId: DeviceId): Uint8Array {
  return encodeCbor({ v: 1, n: nonce, h: authority, a: accountId, d: deviceId });
}

/** The signing callback the relay client asks for: returns an Ed25519 signature with purpose 'relay-auth'. */
export type RelayAuthSigner = (body: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/** A signer for a device signing key held in memory. */
export function relayAuthSigner(signingKey: SecretKey): RelayAuthSigner {
  return (body) => sign('relay-auth', body, signingKey.bytes);
}

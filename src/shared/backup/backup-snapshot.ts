/**
 * What a backup holds (before encryption): everything a new phone needs to continue as the same
 * account. Only messages the user chose to keep are in it: unkept messages expire after 30 days
 * anyway and must not outlive that in a backup. Device keys, sessions and linked desktops are
 * deliberately absent: the restored phone is a new device and desktops pair again.
 */
import { z } from 'zod';
import { decodeCbor, encodeCbor, zBytes } from '../protocol/codec';
import { zAccountId, type AccountId } from '../protocol/ids';
import { zMessageId, type MessageId } from '../messages/message-id';
import { profileFromWire, profileToWire, zProfileWire, type Profile } from '../messages/profile';

export interface BackupMessage {
  readonly id: MessageId;
  readonly conversation: AccountId;
  readonly from: AccountId;
  readonly body: string;
  readonly sentAt: number;
}

export interface BackupSnapshot {
  readonly accountId: AccountId;
  /** The account identity's Ed25519 secret key: whoever reads the snapshot is the account. */
  readonly identitySecret: Uint8Array;
  readonly profile: Profile;
  readonly contacts: Readonly<Record<string, Profile>>;
  /** Device lists of other accounts as last verified (keeps their identities pinned). */
  readonly knownAccounts: Readonly<Record<string, { readonly identityKey: Uint8Array; readonly version: number; readonly list: Uint8Array }>>;
  /** Group memberships (no groups exist yet; the field is reserved so old backups stay readable). */
  readonly groups: readonly Uint8Array[];
  /** Verification attestations the account made, by name. */
  readonly attestations: readonly { readonly name: string; readonly blob: Uint8Array }[];
  readonly messages: readonly BackupMessage[];
}

const zSnapshot = z
  .object({
    v: z.literal(1),
    a: zAccountId,
    k: zBytes(32),
    p: zProfileWire,
    c: z.record(z.string(), zProfileWire),
    ka: z.record(z.string(), z.object({ i: zBytes(32), v: z.number().int(), l: zBytes() }).strict()),
    g: z.array(zBytes()),
    at: z.array(z.object({ n: z.string().max(64), b: zBytes() }).strict()),
    m: z.array(z.object({ i: zMessageId, c: zAccountId, f: zAccountId, b: z.string(), s: z.number().int() }).strict()),
  })
  .strict();

const mapValues = <A, B>(r: Readonly<Record<string, A>>, f: (a: A) => B): Record<string, B> =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v)]));

export function encodeBackupSnapshot(s: BackupSnapshot): Uint8Array {
  return encodeCbor({
    v: 1,
    a: s.accountId,
    k: s.identitySecret,
    p: profileToWire(s.profile),
    c: mapValues(s.contacts, profileToWire),
    ka: mapValues(s.knownAccounts, (x) => ({ i: x.identityKey, v: x.version, l: x.list })),
    g: [...s.groups],
    at: s.attestations.map((x) => ({ n: x.name, b: x.blob })),
    m: s.messages.map((x) => ({ i: x.id, c: x.conversation, f: x.from, b: x.body, s: x.sentAt })),
  });
}

/** Throws ProtocolError MALFORMED. */
export function decodeBackupSnapshot(bytes: Uint8Array): BackupSnapshot {
  const o = decodeCbor(bytes, zSnapshot, 'backup snapshot');
  return {
    accountId: o.a,
    identitySecret: o.k,
    profile: profileFromWire(o.p),
    contacts: mapValues(o.c, profileFromWire),
    knownAccounts: mapValues(o.ka, (x) => ({ identityKey: x.i, version: x.v, list: x.l })),
    groups: o.g,
    attestations: o.at.map((x) => ({ name: x.n, blob: x.b })),
    messages: o.m.map((x) => ({ id: x.i, conversation: x.c, from: x.f, body: x.b, sentAt: x.s })),
  };
}

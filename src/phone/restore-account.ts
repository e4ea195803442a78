/**
 * Restoring an account on a new phone from the relay's backup and the code:
 *   1. the account's current device list (its pinned identity and version),
 *   2. the backup header and a challenge; the header's KDF parameters must meet the minimum,
 *   3. keys from the code; the challenge signed with the verifier key (the relay counts the attempt),
 *   4. the chunks, decrypted and checked against the account,
 *   5. a new phone state: same identity, profile, contacts and kept messages, a new phone device,
 *      and a device list one version up that holds only that device — the old phone and every
 *      linked desktop are dropped and sent signed wipe commands (desktops must pair again).
 * Relay refusals become BackupError WRONG_CODE, LOCKED_OUT or NO_BACKUP; RATE_LIMITED stays a
 * RelayError ("try again within the hour").
 */
import { openAccountBackup } from '../shared/backup/account-backup';
import { decodeBackupHeader } from '../shared/backup/backup-archive';
import { BackupError } from '../shared/backup/backup-error';
import { BACKUP_KDF_MINIMUM, deriveBackupKeys, requireKdfStrength, type KdfParams } from '../shared/backup/backup-kdf';
import type { BackupSnapshot } from '../shared/backup/backup-snapshot';
import { decodeGroupState, type GroupState } from '../shared/groups/group-state';
import type { RecoveryCode } from '../shared/backup/recovery-code';
import { signRestoreProof } from '../shared/backup/restore-proof';
import type { Clock } from '../shared/clock';
import { constantTimeEqual } from '../shared/bytes';
import { verifyDeviceList } from '../shared/protocol/device-list';
import type { AccountId } from '../shared/protocol/ids';
import { restoreEd25519 } from '../shared/protocol/identity';
import type { RelayClient } from '../shared/wire/relay-client';
import { RelayError } from '../shared/wire/relay-error';
import { signWipeCommand } from '../shared/wire/wipe-command';
import type { BackupState } from './backup-state';
import { accountOf, newPhoneState } from './phone-account';
import type { PhoneState } from './phone-state';

export interface RestoredAccount {
  readonly state: PhoneState;
  readonly backup: BackupState;
  /** Signed wipe commands for every device of the old list, to publish with the new list. */
  readonly wipes: readonly Uint8Array[];
  /** When the phone made the backup: shown to the user, who can tell if it is older than expected. */
  readonly backupCreatedAt: number;
  /** The group memberships in the backup, each re-checked; `groupsRefused` counts snapshots that no longer decode. */
  readonly groups: readonly GroupState[];
  readonly groupsRefused: number;
}

export interface RestoreOptions {
  readonly relayUrl: string;
  readonly accountId: AccountId;
  readonly code: RecoveryCode;
  readonly clock: Clock;
  /** Only tests lower this; a restoring phone otherwise refuses headers weaker than the documented parameters. */
  readonly minimumKdf?: KdfParams;
}

const RELAY_TO_BACKUP: Partial<Record<string, 'WRONG_CODE' | 'LOCKED_OUT' | 'NO_BACKUP'>> = {
  WRONG_CODE: 'WRONG_CODE',
  LOCKED_OUT: 'LOCKED_OUT',
  NO_BACKUP: 'NO_BACKUP',
  UNKNOWN_ACCOUNT: 'NO_BACKUP',
};

async function relayStep<T>(step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (error) {
    const mapped = error instanceof RelayError ? RELAY_TO_BACKUP[error.code] : undefined;
    if (mapped) throw new BackupError(mapped, `restore refused: ${mapped}`);
    throw error;
  }
}

export async function fetchAndOpenBackup(client: RelayClient, options: RestoreOptions): Promise<{ snapshot: BackupSnapshot; createdAt: number }> {
  const { header, challenge } = await relayStep(client.getBackupChallenge(options.accountId));
  let parsed;
  try {
    parsed = decodeBackupHeader(header);
  } catch {
    throw new BackupError('BAD_BACKUP', 'backup header does not decode');
  }
  if (parsed.accountId !== options.accountId) throw new BackupError('ACCOUNT_MISMATCH', 'backup header names another account');
  requireKdfStrength(parsed.kdf, options.minimumKdf ?? BACKUP_KDF_MINIMUM);
  const keys = await deriveBackupKeys(options.code, parsed.salt, parsed.kdf);
  try {
    const count = await relayStep(client.proveBackupCode(options.accountId, signRestoreProof(keys, options.accountId, challenge, header)));
    if (count !== parsed.chunkCount) throw new BackupError('BAD_BACKUP', 'chunk count does not match the header');
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < count; i++) chunks.push(await relayStep(client.getBackupChunk(options.accountId, i)));
    return { snapshot: openAccountBackup({ header, chunks }, keys, options.accountId), createdAt: parsed.createdAt };
  } finally {
    keys.purge();
  }
}

export async function restoreAccount(client: RelayClient, options: RestoreOptions): Promise<RestoredAccount> {
  const listBytes = await client.getDeviceList(options.accountId);
  if (!listBytes) throw new BackupError('NO_BACKUP', 'the relay does not know this account');
  const oldList = verifyDeviceList(listBytes);
  const { snapshot, createdAt } = await fetchAndOpenBackup(client, options);
  const state = stateFromSnapshot(snapshot, options.relayUrl, oldList.version + 1, options.clock);
  const account = accountOf(state);
  // The relay pins the account's identity: a backup of some other identity cannot take it over.
  if (!constantTimeEqual(account.identity.publicKey, oldList.identityKey)) throw new BackupError('ACCOUNT_MISMATCH', 'backup identity is not the account identity');
  const now = options.clock.now();
  const wipes = oldList.devices.map((d) => signWipeCommand(account, d.deviceId, now));
  const groups = decodeGroups(snapshot.groups);
  return {
    groups: groups.states,
    groupsRefused: groups.refused,
    state,
    backup: { code: options.code, kept: snapshot.messages.map((m) => m.id), lastUpload: null },
    wipes,
    backupCreatedAt: createdAt,
  };
}

/**
 * Group states as the old phone held them: each was checked when it was applied there, and is
 * checked again here (structure, member limits, hash). One that no longer decodes (a newer
 * format) is left out rather than failing the whole restore; group members re-add the account.
 */
function decodeGroups(encoded: readonly Uint8Array[]): { states: GroupState[]; refused: number } {
  const states: GroupState[] = [];
  let refused = 0;
  for (const bytes of encoded) {
    try {
      states.push(decodeGroupState(bytes));
    } catch {
      refused++;
    }
  }
  return { states, refused };
}

function stateFromSnapshot(snapshot: BackupSnapshot, relayUrl: string, deviceListVersion: number, clock: Clock): PhoneState {
  const identity = { accountId: snapshot.accountId, identity: restoreEd25519(snapshot.identitySecret) };
  return newPhoneState(identity, relayUrl, snapshot.profile, clock, {
    deviceListVersion,
    knownAccounts: { ...snapshot.knownAccounts },
    contacts: { ...snapshot.contacts },
    history: snapshot.messages.map((m) => ({ ...m })),
  });
}

/**
 * The phone's Backup & Restore state, beside the phone state in its data directory
 * (`backup-state.cbor`, mode 0600): the code, which messages the user chose to keep, and what was
 * last uploaded. Kept apart from phone-state.cbor so the two evolve independently.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseRecoveryCode, type RecoveryCode } from '../shared/backup/recovery-code';
import { decodeCbor, encodeCbor, zBytes } from '../shared/protocol/codec';
import { zMessageId, type MessageId } from '../shared/messages/message-id';

export const BACKUP_STATE_FILE = 'backup-state.cbor';

export interface BackupState {
  code: RecoveryCode;
  kept: MessageId[];
  /** The last upload the relay confirmed: when, and a digest of the snapshot and code it held. */
  lastUpload: { at: number; digest: Uint8Array } | null;
}

const zBackupState = z
  .object({
    v: z.literal(1),
    code: z.string().transform((s, ctx) => {
      try {
        return parseRecoveryCode(s);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'bad code' });
        return z.NEVER;
      }
    }),
    kept: z.array(zMessageId),
    lastUpload: z.object({ at: z.number().int(), digest: zBytes(32) }).strict().nullable(),
  })
  .strict();

export function loadBackupState(dir: string): BackupState | null {
  const path = join(dir, BACKUP_STATE_FILE);
  if (!existsSync(path)) return null;
  const { v: _v, ...state } = decodeCbor(new Uint8Array(readFileSync(path)), zBackupState, 'backup state');
  return state;
}

export function saveBackupState(dir: string, state: BackupState): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, BACKUP_STATE_FILE);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, encodeCbor({ v: 1, ...state }), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

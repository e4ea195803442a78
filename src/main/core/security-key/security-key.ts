/**
 * The desktop's Security key screen: the account's Backup & Restore code, which the phone shares
 * at pairing and the desktop holds in memory only (never in the store, never logged). Revealing
 * it asks for the PIN again, and a wrong PIN counts toward the PIN lockout like any other.
 * In kiosk mode the code may be shown and printed but not downloaded.
 */
import type { SecurityKey } from '../../../shared/api';
import { parseRecoveryCode, recoveryCodeGroups } from '../../../shared/backup/recovery-code';
import { CoreError } from '../core-error';

export interface SecurityKeySource {
  readonly backupCode: string | undefined;
  readonly lock: { verify(pin: string): Promise<{ ok: true } | { ok: false; code: string }> };
}

/** Throws CoreError WRONG_PIN or LOCKED_OUT (PIN_POLICY when no PIN is set). */
export async function revealSecurityKey(session: SecurityKeySource, pin: string, kiosk: boolean): Promise<SecurityKey> {
  const result = await session.lock.verify(pin);
  if (!result.ok) {
    switch (result.code) {
      case 'WRONG_PIN':
        throw new CoreError('WRONG_PIN', 'security key');
      case 'LOCKED_OUT':
        throw new CoreError('LOCKED_OUT', 'security key');
      default:
        throw new CoreError('PIN_POLICY', result.code);
    }
  }
  const code = session.backupCode;
  if (!code) return { available: false, groups: [], downloadAllowed: false };
  return { available: true, groups: recoveryCodeGroups(parseRecoveryCode(code)), downloadAllowed: !kiosk };
}

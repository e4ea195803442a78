import { describe, expect, it } from 'vitest';
import { generateRecoveryCode, recoveryCodeGroups } from '../../../shared/backup/recovery-code';
import { revealSecurityKey, type SecurityKeySource } from './security-key';
import { rejectedCode } from '../../../shared/testing/error-code';

const PIN = '27415';

function source(backupCode: string | undefined, verify: (pin: string) => { ok: true } | { ok: false; code: string } = (p) => (p === PIN ? { ok: true } : { ok: false, code: 'WRONG_PIN' })): SecurityKeySource {
  return { backupCode, lock: { verify: (pin) => Promise.resolve(verify(pin)) } };
}

const codeOf = rejectedCode;

describe('security key screen', () => {
  it('shows the code in groups after the PIN, with download outside kiosk mode only', async () => {
    const code = generateRecoveryCode();
    expect(await revealSecurityKey(source(code), PIN, false)).toEqual({ available: true, groups: recoveryCodeGroups(code), downloadAllowed: true });
    expect(await revealSecurityKey(source(code), PIN, true)).toEqual({ available: true, groups: recoveryCodeGroups(code), downloadAllowed: false });
  });

  it('refuses a wrong PIN and a locked-out PIN without revealing anything', async () => {
    const code = generateRecoveryCode();
    expect(await codeOf(revealSecurityKey(source(code), '11112', false))).toBe('WRONG_PIN');
    expect(await codeOf(revealSecurityKey(source(code, () => ({ ok: false, code: 'LOCKED_OUT' })), PIN, false))).toBe('LOCKED_OUT');
    expect(await codeOf(revealSecurityKey(source(code, () => ({ ok: false, code: 'NO_PIN' })), PIN, false))).toBe('PIN_POLICY');
  });

  it('says when the phone shared no code', async () => {
    expect(await revealSecurityKey(source(undefined), PIN, false)).toEqual({ available: false, groups: [], downloadAllowed: false });
  });
});

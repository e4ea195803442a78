import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors';
import { createAccountIdentity } from '../protocol/identity';
import { newDeviceId } from '../protocol/ids';
import { signWipeCommand, verifyWipeCommand } from './wipe-command';

describe('wipe command', () => {
  it('verifies under the account identity and names the device', () => {
    const account = createAccountIdentity();
    const device = newDeviceId();
    const w = verifyWipeCommand(signWipeCommand(account, device, 42), account.identity.publicKey);
    expect(w).toMatchObject({ accountId: account.accountId, deviceId: device, issuedAt: 42 });
  });

  it('refuses another identity and a tampered command', () => {
    const account = createAccountIdentity();
    const bytes = signWipeCommand(account, newDeviceId(), 42);
    expect(() => verifyWipeCommand(bytes, createAccountIdentity().identity.publicKey)).toThrow(ProtocolError);
    const tampered = new Uint8Array(bytes);
    tampered[tampered.length - 1]! ^= 1;
    try {
      verifyWipeCommand(tampered, account.identity.publicKey);
      expect.unreachable();
    } catch (e) {
      expect((e as ProtocolError).code).toBe('BAD_SIGNATURE');
    }
  });
});

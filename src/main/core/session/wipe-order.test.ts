import { describe, expect, it } from 'vitest';
import { createAccountIdentity } from '../../../shared/protocol/identity';
import { newDeviceId } from '../../../shared/protocol/ids';
import { signWipeCommand } from '../../../shared/wire/wipe-command';
import { checkWipeOrder } from './wipe-order';

describe('checkWipeOrder', () => {
  const account = createAccountIdentity();
  const device = newDeviceId();
  const key = account.identity.publicKey;

  it('obeys a command signed by the pinned identity for this device', () => {
    expect(checkWipeOrder(signWipeCommand(account, device, 1), key, device)).toEqual({ obey: true });
  });

  it('refuses a command for another device, from another identity, tampered or garbage', () => {
    expect(checkWipeOrder(signWipeCommand(account, newDeviceId(), 1), key, device)).toEqual({ obey: false, code: 'WRONG_RECIPIENT' });
    const stranger = createAccountIdentity();
    expect(checkWipeOrder(signWipeCommand(stranger, device, 1), key, device)).toMatchObject({ obey: false });
    const tampered = signWipeCommand(account, device, 1);
    tampered[tampered.length - 1]! ^= 1;
    expect(checkWipeOrder(tampered, key, device)).toMatchObject({ obey: false, code: 'BAD_SIGNATURE' });
    expect(checkWipeOrder(new Uint8Array([1, 2, 3]), key, device)).toMatchObject({ obey: false, code: 'MALFORMED' });
  });
});

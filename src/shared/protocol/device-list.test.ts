import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors';
import { createCertifiedDevice } from './device-certificate';
import { signDeviceList, verifyDeviceList } from './device-list';
import { createAccountIdentity } from './identity';
import { thrownCode } from '../testing/error-code';

function certFor(account = createAccountIdentity(), kind: 'phone' | 'desktop' = 'phone') {
  const { keys: device, certificate: cert } = createCertifiedDevice(account, kind, kind === 'phone' ? 'Phone' : 'Ward 4 desk', 1000);
  return { account, device, cert };
}

const codeOf = (fn: () => unknown) => thrownCode(fn, { only: ProtocolError });

describe('device list', () => {
  it('round-trips and verifies each certificate', () => {
    const { account, device, cert } = certFor();
    const desk = certFor(account, 'desktop');
    const list = verifyDeviceList(signDeviceList(account, 1, [cert, desk.cert], 2000));
    expect(list.accountId).toBe(account.accountId);
    expect(list.devices.map((d) => d.deviceId)).toEqual([device.deviceId, desk.device.deviceId]);
    expect(list.devices[1]!.kind).toBe('desktop');
  });

  it('refuses a certificate signed by another identity (a forged device)', () => {
    const { account, cert } = certFor();
    const forged = certFor(createAccountIdentity(), 'desktop').cert;
    expect(codeOf(() => verifyDeviceList(signDeviceList(account, 1, [cert, forged], 1)))).toBe('BAD_SIGNATURE');
  });

  it('refuses a list signed by a different identity than the pinned one', () => {
    const { account, cert } = certFor();
    const other = createAccountIdentity();
    const bytes = signDeviceList(account, 1, [cert], 1);
    expect(codeOf(() => verifyDeviceList(bytes, { identityKey: other.identity.publicKey }))).toBe('IDENTITY_MISMATCH');
  });

  it('refuses a stale version', () => {
    const { account, cert } = certFor();
    expect(codeOf(() => verifyDeviceList(signDeviceList(account, 3, [cert], 1), { afterVersion: 3 }))).toBe('STALE_DEVICE_LIST');
  });

  it('refuses tampered and garbage bytes with typed errors', () => {
    const { account, cert } = certFor();
    const bytes = signDeviceList(account, 1, [cert], 1);
    const tampered = bytes.slice();
    tampered[tampered.length - 70] = tampered[tampered.length - 70]! ^ 1;
    expect(['BAD_SIGNATURE', 'MALFORMED', 'BAD_CERTIFICATE']).toContain(codeOf(() => verifyDeviceList(tampered)));
    expect(codeOf(() => verifyDeviceList(bytes.subarray(0, 20)))).toBe('MALFORMED');
    expect(codeOf(() => verifyDeviceList(new Uint8Array([0xff, 0x00, 0x13])))).toBe('MALFORMED');
  });
});

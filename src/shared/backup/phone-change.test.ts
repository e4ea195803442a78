import { describe, expect, it } from 'vitest';
import { createAccountIdentity, createDeviceKeys } from '../protocol/identity';
import { issueDeviceCertificate } from '../protocol/device-certificate';
import { signDeviceList, verifyDeviceList } from '../protocol/device-list';
import { phoneDeviceIds, phoneReplaced } from './phone-change';

const account = createAccountIdentity();
function cert(kind: 'phone' | 'desktop') {
  const keys = createDeviceKeys();
  return { id: keys.deviceId, bytes: issueDeviceCertificate(account, { deviceId: keys.deviceId, signingKey: keys.signing.publicKey, dhKey: keys.dh.publicKey }, kind, kind, 1) };
}
const list = (version: number, ...certs: { bytes: Uint8Array }[]) => verifyDeviceList(signDeviceList(account, version, certs.map((c) => c.bytes), 1));

describe('phone change', () => {
  const oldPhone = cert('phone');
  const desktop = cert('desktop');
  const newPhone = cert('phone');
  const before = phoneDeviceIds(list(1, oldPhone, desktop));

  it('lists only phone devices', () => {
    expect(before).toEqual([oldPhone.id]);
  });

  it('sees a restored phone (new phone id, old phone and desktops gone)', () => {
    expect(phoneReplaced(before, list(2, newPhone))).toBe(true);
  });

  it('is not a change when only desktops come and go, or on first sight', () => {
    expect(phoneReplaced(before, list(2, oldPhone))).toBe(false);
    expect(phoneReplaced(before, list(3, oldPhone, desktop, cert('desktop')))).toBe(false);
    expect(phoneReplaced(undefined, list(2, newPhone))).toBe(false);
    expect(phoneReplaced([], list(2, newPhone))).toBe(false);
  });
});

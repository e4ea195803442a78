import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes';
import { ProtocolError } from '../errors';
import { isVerifiedDeviceCertificate, issueDeviceCertificate, verifyDeviceCertificate } from './device-certificate';
import type { DeviceList } from './device-list';
import { newDeviceId, newEnvelopeId } from './ids';
import { createAccountIdentity, createDeviceKeys } from './identity';
import { envelopeAssociatedData, openEnvelope, sealEnvelope, verifySealedSender, type SealedContent } from './sealed-sender';
import { createTestAccount, directoryOf, type TestDevice } from './test-accounts';
import { rejectedCode } from '../testing/error-code';

const codeOf = (fn: () => unknown) => rejectedCode(fn, { only: ProtocolError });

const selfOf = (d: TestDevice) => ({ deviceId: d.keys.deviceId, dhSecret: d.keys.dh.secretKey.bytes, dhKey: d.keys.dh.publicKey });

describe('sealed sender', () => {
  const alice = createTestAccount(['phone']);
  const bob = createTestAccount(['phone', 'desktop']);
  const a = alice.devices[0]!;
  const [b, b2] = [bob.devices[0]!, bob.devices[1]!];
  const content: SealedContent = {
    senderAccountId: a.accountId,
    senderDeviceId: a.keys.deviceId,
    senderCertificate: a.certificateBytes,
    kind: 'prekey',
    initiation: { ephemeralKey: new Uint8Array(32).fill(7), signedPrekeyId: 1, oneTimePrekeyId: 0 },
    ratchetMessage: new Uint8Array([1, 2, 3]),
  };
  const header = { to: b.keys.deviceId, id: newEnvelopeId(), sentAt: 1000, expiresAt: 2000 };

  it('round-trips the content, hiding it from anyone but the recipient', async () => {
    const env = sealEnvelope(header, b.keys.dh.publicKey, content);
    expect(bytesToHex(env.ciphertext)).not.toContain(bytesToHex(a.certificateBytes).slice(0, 40));
    const opened = openEnvelope(env, selfOf(b));
    const hexCert = (c: SealedContent) => ({ ...c, senderCertificate: bytesToHex(c.senderCertificate) });
    expect(hexCert(opened)).toEqual(hexCert(content));
    expect(await verifySealedSender(opened, directoryOf(alice))).toMatchObject({ deviceId: a.keys.deviceId });
    expect(await codeOf(() => openEnvelope({ ...env, to: b2.keys.deviceId }, selfOf(b2)))).toBe('DECRYPT_FAILED');
    expect(await codeOf(() => openEnvelope(env, selfOf(b2)))).toBe('WRONG_RECIPIENT');
  });

  it('binds every relay-visible field', () => {
    const base = envelopeAssociatedData(header);
    expect(base.length).toBe(21 + 16 + 16 + 16);
    for (const changed of [{ ...header, id: newEnvelopeId() }, { ...header, sentAt: 1001 }, { ...header, expiresAt: 2001 }]) {
      expect(bytesToHex(envelopeAssociatedData(changed))).not.toBe(bytesToHex(base));
    }
  });

  it('refuses a validly signed certificate that is not the one in the device list', async () => {
    const rotated = createDeviceKeys(a.keys.deviceId);
    const stale = issueDeviceCertificate(
      alice.identity,
      { deviceId: a.keys.deviceId, signingKey: rotated.signing.publicKey, dhKey: rotated.dh.publicKey },
      'phone',
      'old keys',
      0,
    );
    expect(await codeOf(() => verifySealedSender({ ...content, senderCertificate: stale }, directoryOf(alice)))).toBe('BAD_CERTIFICATE');
    expect(await codeOf(() => verifySealedSender({ ...content, senderCertificate: new Uint8Array([1, 2]) }, directoryOf(alice)))).toBe('BAD_CERTIFICATE');
    expect(await codeOf(() => verifySealedSender({ ...content, senderAccountId: bob.accountId }, directoryOf(alice, bob)))).toBe('UNKNOWN_SENDER');
  });

  it('refuses prekey fields on a normal message (and the reverse) as malformed', async () => {
    const normalWithInit = sealEnvelope(header, b.keys.dh.publicKey, { ...content, kind: 'normal' });
    expect(openEnvelope(normalWithInit, selfOf(b)).initiation).toBeUndefined();
    const { initiation: _, ...withoutInit } = content;
    const prekeyWithout = sealEnvelope(header, b.keys.dh.publicKey, withoutInit);
    expect(await codeOf(() => openEnvelope(prekeyWithout, selfOf(b)))).toBe('MALFORMED');
  });
});

describe('sealed sender certificate check', () => {
  const alice = createTestAccount(['phone']);
  const bob = createTestAccount(['phone']);
  const a = alice.devices[0]!;
  const content: SealedContent = {
    senderAccountId: a.accountId,
    senderDeviceId: a.keys.deviceId,
    senderCertificate: a.certificateBytes,
    kind: 'normal',
    ratchetMessage: new Uint8Array([1]),
  };
  const withCert = (senderCertificate: Uint8Array): SealedContent => ({ ...content, senderCertificate });
  const issueFor = (issuer: typeof alice.identity, name: string, issuedAt: number) =>
    issueDeviceCertificate(issuer, { deviceId: a.keys.deviceId, signingKey: a.keys.signing.publicKey, dhKey: a.keys.dh.publicKey }, 'phone', name, issuedAt);

  it('accepts the exact listed certificate as the listed entry, without verifying it again', async () => {
    const listed = alice.list.devices[0]!;
    expect(isVerifiedDeviceCertificate(listed, a.certificateBytes, alice.list.identityKey, alice.accountId)).toBe(true);
    // The very object the list holds comes back: the fast path answered, not a fresh verification.
    expect(await verifySealedSender(content, directoryOf(alice))).toBe(listed);
    // Equal bytes in another buffer are the same certificate.
    expect(await verifySealedSender(withCert(new Uint8Array(a.certificateBytes)), directoryOf(alice))).toBe(listed);
  });

  it('sends a certificate differing in any byte from the listed one through full verification, which refuses it', async () => {
    const listed = a.certificateBytes;
    for (let i = 0; i < listed.length; i++) {
      const tampered = new Uint8Array(listed);
      tampered[i] = tampered[i]! ^ 0x01;
      expect(await codeOf(() => verifySealedSender(withCert(tampered), directoryOf(alice))), `byte ${i}`).toBe('BAD_CERTIFICATE');
    }
    expect(await codeOf(() => verifySealedSender(withCert(listed.subarray(0, -1)), directoryOf(alice)))).toBe('BAD_CERTIFICATE');
    const longer = new Uint8Array(listed.length + 1);
    longer.set(listed);
    expect(await codeOf(() => verifySealedSender(withCert(longer), directoryOf(alice)))).toBe('BAD_CERTIFICATE');
  });

  it('still accepts an older valid certificate of the same keys, through full verification', async () => {
    const older = issueFor(alice.identity, 'phone 1 (before rename)', 0);
    const cert = await verifySealedSender(withCert(older), directoryOf(alice));
    expect(cert).not.toBe(alice.list.devices[0]);
    expect(cert).toMatchObject({ deviceId: a.keys.deviceId, name: 'phone 1 (before rename)' });
  });

  it('refuses a certificate of the same keys signed by another identity', async () => {
    const mallory = createAccountIdentity();
    expect(await codeOf(() => verifySealedSender(withCert(issueFor(mallory, 'phone 1', 0)), directoryOf(alice)))).toBe('BAD_CERTIFICATE');
  });

  it('refuses an unknown account and a device missing from the list', async () => {
    expect(await codeOf(() => verifySealedSender(content, directoryOf(bob)))).toBe('UNKNOWN_SENDER');
    expect(await codeOf(() => verifySealedSender({ ...content, senderDeviceId: newDeviceId() }, directoryOf(alice)))).toBe('UNKNOWN_SENDER');
  });

  it('takes no shortcut for a listed entry verified under another identity or built by hand', async () => {
    // Bob's list with Alice's verified entry slipped in: the entry was verified under Alice's
    // identity, so the shortcut does not apply and Bob's identity refuses the signature.
    const mixed: DeviceList = { ...bob.list, devices: [...bob.list.devices, alice.list.devices[0]!] };
    const asBob = { ...content, senderAccountId: bob.accountId };
    expect(isVerifiedDeviceCertificate(alice.list.devices[0]!, a.certificateBytes, bob.list.identityKey, bob.accountId)).toBe(false);
    expect(await codeOf(() => verifySealedSender(asBob, () => mixed))).toBe('BAD_CERTIFICATE');
    // A copy of the entry is not vouched for: full verification runs (and accepts, the keys match).
    const copy = { ...alice.list.devices[0]! };
    expect(isVerifiedDeviceCertificate(copy, a.certificateBytes, alice.list.identityKey, alice.accountId)).toBe(false);
    const handBuilt: DeviceList = { ...alice.list, devices: [copy] };
    const cert = await verifySealedSender(content, () => handBuilt);
    expect(cert).not.toBe(copy);
    expect(cert).toEqual(copy);
  });

  it('records a verification only for the exact inputs it was made with', () => {
    // A Node Buffer, as network input often is: its slice() would be a view, not a copy.
    const bytes = Buffer.from(a.certificateBytes);
    const cert = verifyDeviceCertificate(bytes, alice.list.identityKey, alice.accountId);
    // The record keeps its own copy, so changing the caller's buffer afterwards vouches for nothing.
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
    expect(isVerifiedDeviceCertificate(cert, bytes, alice.list.identityKey, alice.accountId)).toBe(false);
    expect(isVerifiedDeviceCertificate(cert, a.certificateBytes, alice.list.identityKey, alice.accountId)).toBe(true);
    expect(isVerifiedDeviceCertificate(cert, a.certificateBytes, bob.list.identityKey, alice.accountId)).toBe(false);
    expect(isVerifiedDeviceCertificate(cert, a.certificateBytes, alice.list.identityKey, bob.accountId)).toBe(false);
  });
});

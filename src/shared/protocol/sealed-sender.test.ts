import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes';
import { ProtocolError } from '../errors';
import { issueDeviceCertificate } from './device-certificate';
import { newEnvelopeId } from './ids';
import { createDeviceKeys } from './identity';
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

import { describe, expect, it } from 'vitest';
import { bytesToUtf8, utf8ToBytes } from '../bytes';
import { FakeClock } from '../clock';
import { ProtocolError } from '../errors';
import { DAY_MS } from '../limits';
import { issueDeviceCertificate } from './device-certificate';
import { createAccountIdentity, createDeviceKeys } from './identity';
import { decodeSealedEnvelope, encodeSealedEnvelope } from './sealed-envelope';
import { openEnvelope, sealEnvelope } from './sealed-sender';
import { SessionCipher } from './session-cipher';
import { InMemorySessionStore } from './session-store';
import { createTestAccount, directoryOf, type TestDevice } from './test-accounts';
import { rejectedCode } from '../testing/error-code';

const codeOf = (p: Promise<unknown>) => rejectedCode(p, { only: ProtocolError });

const text = (s: string) => utf8ToBytes(s);

function setup() {
  const clock = new FakeClock();
  const alice = createTestAccount(['phone'], { clock });
  const bob = createTestAccount(['phone'], { clock });
  const carol = createTestAccount(['phone'], { clock });
  const directory = directoryOf(alice, bob, carol);
  return { clock, a: alice.devices[0]!, b: bob.devices[0]!, c: carol.devices[0]!, alice, bob, carol, directory };
}

const to = (d: TestDevice, withBundle = false) => ({
  accountId: d.accountId,
  certificate: d.certificate,
  ...(withBundle ? { bundle: d.nextBundle() } : {}),
});

/** What kind the sealed layer carries; only the recipient can see it. */
const kindOf = (bytes: Uint8Array, d: TestDevice) =>
  openEnvelope(decodeSealedEnvelope(bytes), { deviceId: d.keys.deviceId, dhSecret: d.keys.dh.secretKey.bytes, dhKey: d.keys.dh.publicKey }).kind;

describe('SessionCipher', () => {
  it('starts a session from a bundle, authenticates the sender and consumes the one-time prekey', async () => {
    const { a, b, directory, clock } = setup();
    const before = b.store.oneTimePrekeyCount;
    const env = await a.cipher.encrypt(to(b, true), text('Bed 12: obs due'));
    const sealed = decodeSealedEnvelope(env);
    expect(sealed.to).toBe(b.keys.deviceId);
    expect(sealed.sentAt).toBe(clock.now());
    const got = await b.cipher.decrypt(env, directory);
    expect(bytesToUtf8(got.plaintext)).toBe('Bed 12: obs due');
    expect(got).toMatchObject({ senderAccountId: a.accountId, senderDeviceId: a.keys.deviceId, envelopeId: sealed.id });
    expect(b.store.oneTimePrekeyCount).toBe(before - 1);
    const reply = await b.cipher.encrypt(to(a), text('ack'));
    expect(bytesToUtf8((await a.cipher.decrypt(reply, directory)).plaintext)).toBe('ack');
  });

  it('repeats the initiation until the first reply, then sends normal messages', async () => {
    const { a, b, directory } = setup();
    const first = await a.cipher.encrypt(to(b, true), text('1'));
    const second = await a.cipher.encrypt(to(b), text('2'));
    expect(kindOf(second, b)).toBe('prekey');
    expect(bytesToUtf8((await b.cipher.decrypt(second, directory)).plaintext)).toBe('2');
    expect(bytesToUtf8((await b.cipher.decrypt(first, directory)).plaintext)).toBe('1');
    await a.cipher.decrypt(await b.cipher.encrypt(to(a), text('ok')), directory);
    const third = await a.cipher.encrypt(to(b), text('3'));
    expect(kindOf(third, b)).toBe('normal');
    expect(bytesToUtf8((await b.cipher.decrypt(third, directory)).plaintext)).toBe('3');
  });

  it('refuses a one-time prekey used twice', async () => {
    const { a, b, c, directory } = setup();
    const bundle = b.nextBundle();
    await b.cipher.decrypt(await a.cipher.encrypt({ ...to(b), bundle }, text('first')), directory);
    const reuse = await c.cipher.encrypt({ ...to(b), bundle }, text('same prekey'));
    expect(await codeOf(b.cipher.decrypt(reuse, directory))).toBe('UNKNOWN_PREKEY');
  });

  it('needs a bundle to start', async () => {
    const { a, b } = setup();
    expect(await codeOf(a.cipher.encrypt(to(b), text('x')))).toBe('NO_SESSION');
    expect(await a.cipher.hasSession({ ...b.certificate, dhKey: b.keys.dh.publicKey })).toBe(false);
  });

  it('refuses a normal message for a session it no longer has', async () => {
    const { a, b, directory } = setup();
    await b.cipher.decrypt(await a.cipher.encrypt(to(b, true), text('hello')), directory);
    await a.cipher.decrypt(await b.cipher.encrypt(to(a), text('hi')), directory);
    await b.cipher.resetSession({ accountId: a.accountId, deviceId: a.keys.deviceId });
    expect(await codeOf(b.cipher.decrypt(await a.cipher.encrypt(to(b), text('lost')), directory))).toBe('NO_SESSION');
  });

  it('refuses an envelope for another device', async () => {
    const { a, b, c, directory } = setup();
    const env = await a.cipher.encrypt(to(b, true), text('for bob'));
    expect(await codeOf(c.cipher.decrypt(env, directory))).toBe('WRONG_RECIPIENT');
    // Readdressing it breaks the sealed layer, whose associated data binds the header.
    const readdressed = encodeSealedEnvelope({ ...decodeSealedEnvelope(env), to: c.keys.deviceId });
    expect(await codeOf(c.cipher.decrypt(readdressed, directory))).toBe('DECRYPT_FAILED');
  });

  it('refuses tampering with ciphertext or relay-visible fields, and stays usable', async () => {
    const { a, b, directory } = setup();
    const env = decodeSealedEnvelope(await a.cipher.encrypt(to(b, true), text('hello')));
    const prekeys = b.store.oneTimePrekeyCount;
    const flipped = env.ciphertext.slice();
    flipped[flipped.length - 3]! ^= 1;
    expect(await codeOf(b.cipher.decrypt(encodeSealedEnvelope({ ...env, ciphertext: flipped }), directory))).toBe('DECRYPT_FAILED');
    expect(await codeOf(b.cipher.decrypt(encodeSealedEnvelope({ ...env, expiresAt: env.expiresAt + 1 }), directory))).toBe('DECRYPT_FAILED');
    expect(b.store.oneTimePrekeyCount).toBe(prekeys);
    expect(bytesToUtf8((await b.cipher.decrypt(encodeSealedEnvelope(env), directory)).plaintext)).toBe('hello');
  });

  it('refuses a replayed envelope, and a replayed message in a new envelope', async () => {
    const { a, b, directory } = setup();
    const env = await a.cipher.encrypt(to(b, true), text('once'));
    await b.cipher.decrypt(env, directory);
    expect(await codeOf(b.cipher.decrypt(env, directory))).toBe('REPLAY');
    // Someone holding Bob's device key could rewrap the inner message under a fresh envelope id.
    const self = { deviceId: b.keys.deviceId, dhSecret: b.keys.dh.secretKey.bytes, dhKey: b.keys.dh.publicKey };
    const sealed = decodeSealedEnvelope(env);
    const rewrapped = sealEnvelope({ ...sealed, id: 'f'.repeat(32) as typeof sealed.id }, b.keys.dh.publicKey, openEnvelope(sealed, self));
    expect(await codeOf(b.cipher.decrypt(encodeSealedEnvelope(rewrapped), directory))).toBe('REPLAY');
    const next = await a.cipher.encrypt(to(b), text('twice'));
    expect(bytesToUtf8((await b.cipher.decrypt(next, directory)).plaintext)).toBe('twice');
  });

  it('refuses an expired envelope', async () => {
    const { a, b, directory, clock } = setup();
    const env = await a.cipher.encrypt(to(b, true), text('soon gone'), { expiresAt: clock.now() + DAY_MS });
    clock.advance(DAY_MS + 1);
    expect(await codeOf(b.cipher.decrypt(env, directory))).toBe('EXPIRED');
  });

  it('refuses an unknown sender and a forged device certificate', async () => {
    const { a, b, alice, directory, clock } = setup();
    const env = await a.cipher.encrypt(to(b, true), text('who am I'));
    expect(await codeOf(b.cipher.decrypt(env, directoryOf()))).toBe('UNKNOWN_SENDER');
    // A listed device id, but keys certified by an identity that is not the account's.
    const mallory = createAccountIdentity();
    const keys = { ...createDeviceKeys(a.keys.deviceId) };
    const forged = issueDeviceCertificate(
      { accountId: alice.accountId, identity: mallory.identity },
      { deviceId: keys.deviceId, signingKey: keys.signing.publicKey, dhKey: keys.dh.publicKey },
      'phone',
      'not alice',
      clock.now(),
    );
    const impostor = new SessionCipher({ accountId: alice.accountId, device: keys, certificate: forged, store: new InMemorySessionStore({ clock }), clock });
    const fake = await impostor.encrypt(to(b, true), text('trust me'));
    expect(await codeOf(b.cipher.decrypt(fake, directory))).toBe('BAD_CERTIFICATE');
    // A device that is not (or no longer) in the account's device list.
    const stranger = new SessionCipher({ accountId: alice.accountId, device: createDeviceKeys(), certificate: forged, store: new InMemorySessionStore(), clock });
    const unlisted = await stranger.encrypt(to(b, true), text('hi'));
    expect(await codeOf(b.cipher.decrypt(unlisted, directory))).toBe('UNKNOWN_SENDER');
  });

  it('gives typed errors for truncated and garbage input', async () => {
    const { a, b, directory } = setup();
    const env = await a.cipher.encrypt(to(b, true), text('x'));
    expect(await codeOf(b.cipher.decrypt(env.subarray(0, env.length - 5), directory))).toBe('MALFORMED');
    expect(await codeOf(b.cipher.decrypt(new Uint8Array([0xa1, 0x61, 0x76, 0x02]), directory))).toBe('UNSUPPORTED_VERSION');
    expect(await codeOf(b.cipher.decrypt(utf8ToBytes('not cbor at all'), directory))).toBe('MALFORMED');
    const sealed = decodeSealedEnvelope(env);
    const shortInner = encodeSealedEnvelope({ ...sealed, ciphertext: sealed.ciphertext.subarray(0, 40) });
    expect(await codeOf(b.cipher.decrypt(shortInner, directory))).toBe('MALFORMED');
    const otherVersion = sealed.ciphertext.slice();
    otherVersion[0] = 9;
    expect(await codeOf(b.cipher.decrypt(encodeSealedEnvelope({ ...sealed, ciphertext: otherVersion }), directory))).toBe('UNSUPPORTED_VERSION');
  });

  it('continues after a restart from the persisted store', async () => {
    const { a, b, directory, clock } = setup();
    await b.cipher.decrypt(await a.cipher.encrypt(to(b, true), text('before')), directory);
    const restarted = new SessionCipher({ accountId: b.accountId, device: b.keys, certificate: b.certificateBytes, store: b.store, clock });
    await a.cipher.decrypt(await restarted.encrypt(to(a), text('after restart')), directory);
    expect(bytesToUtf8((await restarted.decrypt(await a.cipher.encrypt(to(b), text('again')), directory)).plaintext)).toBe('again');
  });

  it('converges when both sides start a session at the same time', async () => {
    const { a, b, directory } = setup();
    const fromA = await a.cipher.encrypt(to(b, true), text('a starts'));
    const fromB = await b.cipher.encrypt(to(a, true), text('b starts'));
    expect(bytesToUtf8((await b.cipher.decrypt(fromA, directory)).plaintext)).toBe('a starts');
    expect(bytesToUtf8((await a.cipher.decrypt(fromB, directory)).plaintext)).toBe('b starts');
    for (let i = 0; i < 3; i++) {
      expect(bytesToUtf8((await b.cipher.decrypt(await a.cipher.encrypt(to(b), text(`a${i}`)), directory)).plaintext)).toBe(`a${i}`);
      expect(bytesToUtf8((await a.cipher.decrypt(await b.cipher.encrypt(to(a), text(`b${i}`)), directory)).plaintext)).toBe(`b${i}`);
    }
  });

  it('serialises concurrent operations', async () => {
    const { a, b, directory } = setup();
    await b.cipher.decrypt(await a.cipher.encrypt(to(b, true), text('start')), directory);
    const envs = await Promise.all(Array.from({ length: 10 }, (_, i) => a.cipher.encrypt(to(b), text(`p${i}`))));
    const got = await Promise.all(envs.map((e) => b.cipher.decrypt(e, directory)));
    expect(got.map((g) => bytesToUtf8(g.plaintext))).toEqual(envs.map((_, i) => `p${i}`));
  });
});

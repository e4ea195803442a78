import { describe, expect, it, vi } from 'vitest';
import { bytesToHex, toBase64Url, fromBase64Url } from '../bytes';
import { FakeClock } from '../clock';
import { PAIRING_OFFER_TTL_MS } from '../limits';
import { newMessageId } from '../messages/message-id';
import type { PairingSnapshot } from '../messages/pairing-snapshot';
import { decodeCbor, encodeCbor } from './codec';
import { createCertifiedDevice, issueDeviceCertificate } from './device-certificate';
import { signDeviceList, verifyDeviceList } from './device-list';
import { accountIdFromIdentityKey, type DeviceId } from './ids';
import { createAccountIdentity, createDeviceKeys, generateX25519 } from './identity';
import {
  createMemoryChannelPair,
  createPairingOffer,
  encodePairingOffer,
  encodePairingUrl,
  newWorkstationId,
  parsePairingUrl,
  runDesktopPairing,
  runPhonePairing,
  type DesktopPairingOffer,
  type LinkedDesktop,
  type PairingChannel,
  type PairingOffer,
  type PhonePairingAccount,
} from './pairing';
import { derivePairingKeys, pairingTranscript, PairingDirection } from './pairing-keys';
import { encodePairingMessage } from './pairing-messages';
import { z } from 'zod';
import { rejectedCode, thrownCode } from '../testing/error-code';

const RELAY = 'ws://127.0.0.1:4000';

/** An in-memory phone account that records what the handshake did to it. */
function fakePhone(snapshot: PairingSnapshot = { contacts: [], messages: [] }) {
  const account = createAccountIdentity();
  const { certificate: phoneCert } = createCertifiedDevice(account, 'phone', 'Phone', 1);
  const keys = new Map<string, Uint8Array>();
  const state = { version: 1, certs: new Map<DeviceId, Uint8Array>(), published: [] as Uint8Array[], unlinked: [] as DeviceId[] };
  const phone: PhonePairingAccount = {
    account,
    profile: { displayName: 'Dr. A. Example', profession: 'Physician' },
    linkDesktop: (desktop: LinkedDesktop, certificate: Uint8Array) => {
      state.certs.set(desktop.deviceId, certificate);
      const list = signDeviceList(account, ++state.version, [phoneCert, ...state.certs.values()], 2);
      state.published.push(list);
      return Promise.resolve(list);
    },
    unlinkDesktop: (deviceId) => {
      state.certs.delete(deviceId);
      state.unlinked.push(deviceId);
      return Promise.resolve();
    },
    databaseKeyFor: (w) => keys.get(w),
    rememberDatabaseKey: (w, k) => {
      keys.set(w, k.slice());
      return Promise.resolve();
    },
    snapshot: () => snapshot,
  };
  return { phone, account, keys, state };
}

type Tap = (message: Uint8Array, direction: 'to-phone' | 'to-desktop') => Uint8Array[];

/** desktop ⇄ tap ⇄ phone: lets a test play the relay (drop, alter, duplicate frames). */
function tappedChannels(tap: Tap): [PairingChannel, PairingChannel] {
  const [desktopEnd, relayD] = createMemoryChannelPair();
  const [relayP, phoneEnd] = createMemoryChannelPair();
  relayD.onMessage((m) => {
    for (const out of tap(m, 'to-phone')) void relayP.send(out);
  });
  relayP.onMessage((m) => {
    for (const out of tap(m, 'to-desktop')) void relayD.send(out);
  });
  relayD.onClose(() => relayP.close());
  relayP.onClose(() => relayD.close());
  return [desktopEnd, phoneEnd];
}

const codeOf = (p: Promise<unknown>) => rejectedCode(p, { whenNone: 'OK' });

function setup(clock = new FakeClock()) {
  const offer = createPairingOffer(RELAY, clock);
  const desktopInfo = { workstationId: newWorkstationId(), name: 'Ward 4 nursing station' };
  return { clock, offer, desktopInfo, parsed: parsePairingUrl(offer.url, clock) };
}

describe('pairing URL', () => {
  it('round-trips an offer', () => {
    const clock = new FakeClock();
    const { offer, url } = createPairingOffer(RELAY, clock);
    expect(url.startsWith('wardline://p/')).toBe(true);
    expect(url.length).toBeLessThan(200);
    const parsed = parsePairingUrl(url, clock);
    expect(parsed.channelId).toBe(offer.channelId);
    expect(parsed.relayUrl).toBe(RELAY);
    expect(bytesToHex(parsed.secret)).toBe(bytesToHex(offer.secret));
    expect(parsed.expiresAt).toBe(clock.now() + PAIRING_OFFER_TTL_MS);
  });

  it('rejects wrong schemes, bad base64, wrong lengths, unknown versions and expired offers', () => {
    const clock = new FakeClock();
    const { offer, url } = createPairingOffer(RELAY, clock);
    const payload = (o: Record<string, unknown>) => 'wardline://p/' + toBase64Url(encodeCbor(o));
    const wire = decodeCbor(fromBase64Url(url.slice(13)), z.record(z.string(), z.unknown()), 'x');
    const code = (u: string) => thrownCode(() => parsePairingUrl(u, clock), { whenNone: 'OK' });
    expect(code(url.replace('wardline://', 'https://'))).toBe('MALFORMED');
    expect(code('wardline://p/***')).toBe('MALFORMED');
    expect(code('wardline://p/')).toBe('MALFORMED');
    expect(code(payload({ ...wire, s: new Uint8Array(8) }))).toBe('MALFORMED');
    expect(code(payload({ ...wire, e: new Uint8Array(31) }))).toBe('MALFORMED');
    expect(code(payload({ ...wire, r: 'http://evil.example' }))).toBe('MALFORMED');
    expect(code(payload({ ...wire, extra: 1 }))).toBe('MALFORMED');
    expect(code(payload({ ...wire, v: 2 }))).toBe('UNSUPPORTED_VERSION');
    expect(code(url + 'A'.repeat(600))).toBe('MALFORMED');
    clock.advance(PAIRING_OFFER_TTL_MS);
    expect(code(url)).toBe('EXPIRED');
    expect(encodePairingUrl(offer)).toBe(url);
  });
});

describe('pairing handshake', () => {
  it('links a desktop after approval; both sides see the same code; a re-pair hands back the same database key', async () => {
    const snapshot: PairingSnapshot = {
      contacts: [{ accountId: accountIdFromIdentityKey(new Uint8Array(32)), profile: { displayName: 'Nurse B', profession: 'Nurse' } }],
      messages: [{ id: newMessageId(), conversation: accountIdFromIdentityKey(new Uint8Array(32)), from: accountIdFromIdentityKey(new Uint8Array(32)), body: 'hello', sentAt: 5 }],
    };
    const { phone, account, keys, state } = fakePhone(snapshot);
    const { clock, offer, desktopInfo, parsed } = setup();
    const [d, p] = createMemoryChannelPair();
    let desktopCode = '';
    const approve = vi.fn(() => true);
    const [desk, ph] = await Promise.all([
      runDesktopPairing(d, offer, desktopInfo, { clock, onConfirmationCode: (c) => (desktopCode = c) }),
      runPhonePairing(p, parsed, phone, { approve, clock }),
    ]);
    expect(desktopCode).toMatch(/^\d{6}$/);
    expect(approve).toHaveBeenCalledWith(expect.objectContaining({ desktopName: desktopInfo.name, confirmationCode: desktopCode, workstationId: desktopInfo.workstationId }));
    expect(ph.confirmationCode).toBe(desktopCode);
    expect(desk.accountId).toBe(account.accountId);
    expect(desk.certificate.deviceId).toBe(desk.deviceKeys.deviceId);
    expect(desk.certificate.kind).toBe('desktop');
    expect(desk.deviceList.devices.map((x) => x.deviceId)).toContain(desk.deviceKeys.deviceId);
    expect(desk.profile.displayName).toBe('Dr. A. Example');
    expect(desk.snapshot).toEqual(snapshot);
    expect(desk.databaseKeyReused).toBe(false);
    expect(desk.databaseKey.bytes).toHaveLength(32);
    expect(bytesToHex(keys.get(desktopInfo.workstationId)!)).toBe(bytesToHex(desk.databaseKey.bytes));
    expect(verifyDeviceList(state.published[0]!).version).toBe(2);

    // Re-pair of the same workstation (new offer, new device keys): the phone returns the stored key.
    const second = createPairingOffer(RELAY, clock);
    const [d2, p2] = createMemoryChannelPair();
    const [desk2, ph2] = await Promise.all([
      runDesktopPairing(d2, second, desktopInfo, { clock }),
      runPhonePairing(p2, parsePairingUrl(second.url, clock), phone, { approve: () => true, clock }),
    ]);
    expect(desk2.databaseKeyReused).toBe(true);
    expect(ph2.databaseKeyReused).toBe(true);
    expect(bytesToHex(desk2.databaseKey.bytes)).toBe(bytesToHex(desk.databaseKey.bytes));
    expect(desk2.deviceKeys.deviceId).not.toBe(desk.deviceKeys.deviceId);
  });

  it('sends nothing account-related when the user rejects, and leaves nothing behind', async () => {
    const { phone, keys, state } = fakePhone();
    const { clock, offer, desktopInfo, parsed } = setup();
    const [d, p] = createMemoryChannelPair();
    const [dc, pc] = await Promise.all([
      codeOf(runDesktopPairing(d, offer, desktopInfo, { clock })),
      codeOf(runPhonePairing(p, parsed, phone, { approve: () => false, clock })),
    ]);
    expect([dc, pc]).toEqual(['REJECTED', 'REJECTED']);
    expect(state.published).toHaveLength(0);
    expect(keys.size).toBe(0);
  });

  it('gives up when the user does not approve in time', async () => {
    const { phone, state } = fakePhone();
    const { clock, offer, desktopInfo, parsed } = setup();
    const [d, p] = createMemoryChannelPair();
    const [dc, pc] = await Promise.all([
      codeOf(runDesktopPairing(d, offer, desktopInfo, { clock })),
      codeOf(runPhonePairing(p, parsed, phone, { approve: () => new Promise<boolean>(() => undefined), clock, approvalTimeoutMs: 20 })),
    ]);
    expect([dc, pc]).toEqual(['REJECTED', 'TIMEOUT']);
    expect(state.published).toHaveLength(0);
  });

  it('refuses a joiner that does not know the QR secret before showing a code', async () => {
    const { phone } = fakePhone();
    const { clock, offer, desktopInfo, parsed } = setup();
    const forged: PairingOffer = { ...parsed, secret: new Uint8Array(16).fill(7) };
    const [d, p] = createMemoryChannelPair();
    const onCode = vi.fn();
    const approve = vi.fn(() => true);
    const [dc, pc] = await Promise.all([
      codeOf(runDesktopPairing(d, offer, desktopInfo, { clock, onConfirmationCode: onCode })),
      codeOf(runPhonePairing(p, forged, phone, { approve, clock })),
    ]);
    expect(dc).toBe('DECRYPT_FAILED');
    expect(pc).toBe('CHANNEL_CLOSED');
    expect(onCode).not.toHaveBeenCalled();
    expect(approve).not.toHaveBeenCalled();
  });

  it('a QR photographer cannot play the desktop to the phone (no ephemeral private key)', async () => {
    const { phone, state } = fakePhone();
    const { clock, parsed } = setup();
    const [attackerEnd, p] = createMemoryChannelPair();
    const approve = vi.fn(() => true);
    // The attacker knows everything on the QR code and answers with its own ephemeral key's view.
    const attackerEphemeral = generateX25519();
    attackerEnd.onMessage((hello) => {
      const h = decodeCbor(hello, z.object({ e: z.instanceof(Uint8Array) }).loose(), 'hello');
      const transcript = pairingTranscript(encodePairingOffer(parsed), h.e);
      const keys = derivePairingKeys(attackerEphemeral.secretKey.bytes, h.e, parsed.secret, transcript);
      const toPhone = new PairingDirection(keys.desktopToPhone, transcript);
      const evil = createDeviceKeys();
      void attackerEnd.send(
        toPhone.seal(encodePairingMessage({ t: 'desktop', w: newWorkstationId(), n: 'Ward 4 nursing station', d: evil.deviceId, sk: evil.signing.publicKey, dk: evil.dh.publicKey })),
      );
    });
    expect(await codeOf(runPhonePairing(p, parsed, phone, { approve, clock }))).toBe('DECRYPT_FAILED');
    expect(approve).not.toHaveBeenCalled();
    expect(state.published).toHaveLength(0);
  });

  it('rejects a tampered frame', async () => {
    const { phone, state } = fakePhone();
    const { clock, offer, desktopInfo, parsed } = setup();
    const [d, p] = tappedChannels((m, dir) => {
      if (dir === 'to-phone') {
        const t = m.slice();
        t[10]! ^= 0x01; // inside the ciphertext (CBOR keys sort c, n, v)
        return [t];
      }
      return [m];
    });
    const [dc, pc] = await Promise.all([codeOf(runDesktopPairing(d, offer, desktopInfo, { clock })), codeOf(runPhonePairing(p, parsed, phone, { approve: () => true, clock }))]);
    expect(pc).toBe('DECRYPT_FAILED');
    expect(dc).toBe('CHANNEL_CLOSED');
    expect(state.published).toHaveLength(0);
  });

  it('rejects a replayed frame, and the phone undoes the link it had published', async () => {
    const { phone, keys, state } = fakePhone();
    const { clock, offer, desktopInfo, parsed } = setup();
    let toDesktop = 0;
    const [d, p] = tappedChannels((m, dir) => (dir === 'to-desktop' && ++toDesktop === 2 ? [m, m] : [m]));
    const [dc, pc] = await Promise.all([codeOf(runDesktopPairing(d, offer, desktopInfo, { clock })), codeOf(runPhonePairing(p, parsed, phone, { approve: () => true, clock }))]);
    expect(dc).toBe('REPLAY');
    expect(pc).toBe('CHANNEL_CLOSED');
    expect(state.unlinked).toHaveLength(1);
    expect(keys.size).toBe(0);
  });

  it('rejects an expired offer on both sides', async () => {
    const { phone } = fakePhone();
    const { clock, offer, desktopInfo, parsed } = setup();
    const later = new FakeClock(clock.now() + PAIRING_OFFER_TTL_MS);
    expect(await codeOf(runPhonePairing(createMemoryChannelPair()[0], parsed, phone, { approve: () => true, clock: later }))).toBe('EXPIRED');
    // A phone whose clock lags still cannot use it: the desktop checks its own clock.
    const [d, p] = createMemoryChannelPair();
    const [dc] = await Promise.all([codeOf(runDesktopPairing(d, offer, desktopInfo, { clock: later })), codeOf(runPhonePairing(p, parsed, phone, { approve: () => true, clock }))]);
    expect(dc).toBe('EXPIRED');
  });

  it('rejects malformed frames', async () => {
    const { clock, offer, desktopInfo } = setup();
    for (const garbage of [new Uint8Array([0xff, 0x00]), encodeCbor({ v: 1, e: new Uint8Array(32) }), encodeCbor({ v: 1, e: new Uint8Array(32), p: { n: 0, c: new Uint8Array(40) } })]) {
      const [d, attacker] = createMemoryChannelPair();
      const run = codeOf(runDesktopPairing(d, offer, desktopInfo, { clock }));
      await attacker.send(garbage);
      // An all-zero ephemeral key is low-order: refused as MALFORMED rather than used.
      expect(await run).toBe('MALFORMED');
    }
    const { phone } = fakePhone();
    const { parsed } = setup(clock);
    const [fakeDesktop, p] = createMemoryChannelPair();
    fakeDesktop.onMessage(() => void fakeDesktop.send(new Uint8Array([1, 2, 3])));
    expect(await codeOf(runPhonePairing(p, parsed, phone, { approve: () => true, clock }))).toBe('MALFORMED');
  });

  it('refuses a certificate for some other device', async () => {
    const { phone } = fakePhone();
    const other = createDeviceKeys();
    const liar: PhonePairingAccount = {
      ...phone,
      linkDesktop: (desktop, _cert) =>
        phone.linkDesktop(
          desktop,
          issueDeviceCertificate(phone.account, { deviceId: desktop.deviceId, signingKey: other.signing.publicKey, dhKey: desktop.dhKey }, 'desktop', 'x', 1),
        ),
    };
    const { clock, offer, desktopInfo, parsed } = setup();
    const [d, p] = createMemoryChannelPair();
    const [dc] = await Promise.all([codeOf(runDesktopPairing(d, offer, desktopInfo, { clock })), codeOf(runPhonePairing(p, parsed, liar, { approve: () => true, clock }))]);
    expect(dc).toBe('BAD_CERTIFICATE');
  });

  it('tells the desktop at once when the phone cannot publish the device list', async () => {
    const { phone, keys } = fakePhone();
    const failing: PhonePairingAccount = { ...phone, linkDesktop: () => Promise.reject(new Error('relay down')) };
    const { clock, offer, desktopInfo, parsed } = setup();
    const [d, p] = createMemoryChannelPair();
    const [dc, pc] = await Promise.all([codeOf(runDesktopPairing(d, offer, desktopInfo, { clock })), codeOf(runPhonePairing(p, parsed, failing, { approve: () => true, clock }))]);
    expect([dc, pc]).toEqual(['REJECTED', 'ABORTED']);
    expect(keys.size).toBe(0);
  });

  it('purges the desktop offer secrets on request', () => {
    const o: DesktopPairingOffer = createPairingOffer(RELAY, new FakeClock());
    o.ephemeral.secretKey.purge();
    expect(o.ephemeral.secretKey.purged).toBe(true);
  });
});

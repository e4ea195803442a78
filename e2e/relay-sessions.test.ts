import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS, RELAY_QUEUE_RETENTION_MS } from '../src/shared/limits';
import { verifyWipeCommand, signWipeCommand } from '../src/shared/wire/wipe-command';
import { CLOSE_CODES } from '../src/shared/wire/close-codes';
import { relayAuthSigner } from '../src/shared/wire/relay-auth';
import { closed, connectDevice, Inbox, openClient, sealedEnvelope, TestAccount } from '../server/testing/fixtures';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';

// The relay runs with its real 6-hour default; only its clock is moved (POST /test/clock).
let relay: RelayProcess;
beforeAll(async () => {
  relay = await spawnRelay({ args: ['--test-clock'] });
});
afterAll(async () => {
  await relay.stop();
});

async function accountWithDesktop() {
  const account = new TestAccount();
  const phone = account.addDevice('phone');
  const desk = account.addDevice('desktop');
  const c = await openClient(relay.url);
  await c.publishDeviceList(account.nextList());
  c.close();
  return { account, phone, desk };
}

describe('desktop session limit (injected clock)', () => {
  it('closes the desktop with 4401 at six hours, refuses it from then on, drops its queue; the phone stays', async () => {
    const { account, phone, desk } = await accountWithDesktop();
    const deskClient = await openClient(relay.url);
    const auth = await deskClient.authenticate(account.accountId, desk.keys.deviceId, relayAuthSigner(desk.keys.signing.secretKey));
    expect(auth.kind).toBe('desktop');
    expect(auth.sessionEndsAt).not.toBeNull();
    const phoneClient = await connectDevice(relay.url, account, phone);
    const deskClosed = closed(deskClient);
    const phoneClosed = closed(phoneClient);
    let phoneClosedEarly = false;
    void phoneClosed.then(() => (phoneClosedEarly = true));

    await relay.advanceClock(6 * HOUR_MS - 60_000);
    // Still within the session: an envelope is accepted.
    expect(await phoneClient.send(sealedEnvelope(desk.keys.deviceId).bytes)).toMatch(/stored|delivered/);

    await relay.advanceClock(60_000);
    expect((await deskClosed).code).toBe(CLOSE_CODES.SESSION_EXPIRED);
    await expect(connectDevice(relay.url, account, desk)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    await expect(phoneClient.send(sealedEnvelope(desk.keys.deviceId).bytes)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    // The phone's own session does not end this way.
    expect(phoneClosedEarly).toBe(false);
    expect(await phoneClient.send(sealedEnvelope(phone.keys.deviceId).bytes)).toMatch(/stored|delivered/);
    phoneClient.close();
  });

  it('re-listing an expired desktop does not revive it; a re-paired desktop (new id) gets a fresh session', async () => {
    const { account, desk } = await accountWithDesktop();
    await relay.advanceClock(6 * HOUR_MS);
    await expect(connectDevice(relay.url, account, desk)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    const fresh = account.addDevice('desktop');
    const c = await openClient(relay.url);
    await c.publishDeviceList(account.nextList());
    c.close();
    await expect(connectDevice(relay.url, account, desk)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    const freshClient = await connectDevice(relay.url, account, fresh);
    expect(freshClient.isOpen).toBe(true);
    freshClient.close();
  });
});

describe('revocation and remote wipe', () => {
  it('drops the revoked desktop at once, delivers the signed wipe, then closes with 4403', async () => {
    const { account, phone, desk } = await accountWithDesktop();
    const phoneClient = await connectDevice(relay.url, account, phone);
    const deskClient = await connectDevice(relay.url, account, desk);
    const wiped = new Promise<Uint8Array>((resolve) => deskClient.on('wipe', (w) => resolve(w.command)));
    const deskClosed = closed(deskClient);

    account.removeDevice(desk.keys.deviceId);
    const wipe = signWipeCommand(account.identity, desk.keys.deviceId, Date.now());
    await phoneClient.publishDeviceList(account.nextList(), [wipe]);

    const command = verifyWipeCommand(await wiped, account.identity.identity.publicKey);
    expect(command.deviceId).toBe(desk.keys.deviceId);
    expect((await deskClosed).code).toBe(CLOSE_CODES.REVOKED);
    await expect(phoneClient.send(sealedEnvelope(desk.keys.deviceId).bytes)).rejects.toMatchObject({ code: 'REVOKED' });
    phoneClient.close();
  });

  it('delivers the wipe to a revoked device when it next connects, and drops its queue', async () => {
    const { account, phone, desk } = await accountWithDesktop();
    const phoneClient = await connectDevice(relay.url, account, phone);
    await phoneClient.send(sealedEnvelope(desk.keys.deviceId).bytes);
    account.removeDevice(desk.keys.deviceId);
    await phoneClient.publishDeviceList(account.nextList(), [signWipeCommand(account.identity, desk.keys.deviceId, Date.now())]);

    const late = await openClient(relay.url);
    const inbox = new Inbox(late);
    const wiped = new Promise<Uint8Array>((resolve) => late.on('wipe', (w) => resolve(w.command)));
    const lateClosed = closed(late);
    await expect(late.authenticate(account.accountId, desk.keys.deviceId, relayAuthSigner(desk.keys.signing.secretKey))).rejects.toMatchObject({
      code: 'REVOKED',
    });
    expect(verifyWipeCommand(await wiped, account.identity.identity.publicKey).deviceId).toBe(desk.keys.deviceId);
    expect((await lateClosed).code).toBe(CLOSE_CODES.REVOKED);
    expect(inbox.received).toHaveLength(0);
    phoneClient.close();
  });

  it('refuses a wipe command not signed by the account identity', async () => {
    const { account, phone, desk } = await accountWithDesktop();
    const phoneClient = await connectDevice(relay.url, account, phone);
    const forged = signWipeCommand(new TestAccount().identity, desk.keys.deviceId, Date.now());
    account.removeDevice(desk.keys.deviceId);
    await expect(phoneClient.publishDeviceList(account.nextList(), [forged])).rejects.toMatchObject({ code: 'IDENTITY_MISMATCH' });
    phoneClient.close();
  });
});

describe('queue retention (injected clock)', () => {
  it('drops queued envelopes after the retention period, keeps younger ones', async () => {
    const account = new TestAccount();
    const phone = account.addDevice('phone');
    const sender = new TestAccount();
    const senderPhone = sender.addDevice('phone');
    const c = await openClient(relay.url);
    await c.publishDeviceList(account.nextList());
    await c.publishDeviceList(sender.nextList());
    c.close();
    const senderClient = await connectDevice(relay.url, sender, senderPhone);
    // Envelopes claim a long lifetime; the relay's retention still caps them.
    const old = sealedEnvelope(phone.keys.deviceId, { ttlMs: 10 * RELAY_QUEUE_RETENTION_MS });
    await senderClient.send(old.bytes);
    await relay.advanceClock(RELAY_QUEUE_RETENTION_MS - HOUR_MS);
    const young = sealedEnvelope(phone.keys.deviceId, { sentAt: Date.now() + RELAY_QUEUE_RETENTION_MS, ttlMs: 10 * RELAY_QUEUE_RETENTION_MS });
    await senderClient.send(young.bytes);
    await relay.advanceClock(HOUR_MS);
    senderClient.close();

    const phoneClient = await connectDevice(relay.url, account, phone);
    const inbox = new Inbox(phoneClient);
    await inbox.waitFor(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(inbox.received.map((e) => e.id)).toEqual([young.id]);
    phoneClient.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayError } from '../src/shared/wire/relay-error';
import { connectDevice, Inbox, openClient, sealedEnvelope, TestAccount } from '../server/testing/fixtures';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await spawnRelay({ args: ['--log-level', 'debug'] });
});
afterAll(async () => {
  await relay.stop();
});

async function registered(kinds: ('phone' | 'desktop')[] = ['phone']) {
  const account = new TestAccount();
  for (const kind of kinds) account.addDevice(kind);
  const client = await openClient(relay.url);
  await client.publishDeviceList(account.nextList());
  client.close();
  return account;
}

describe('relay routing (real relay process)', () => {
  it('pushes an envelope to an online device at once and acks the sender', async () => {
    const alice = await registered();
    const bob = await registered();
    const sender = await connectDevice(relay.url, alice, alice.devices[0]!);
    const recipient = await connectDevice(relay.url, bob, bob.devices[0]!);
    const inbox = new Inbox(recipient);
    const env = sealedEnvelope(bob.devices[0]!.keys.deviceId);
    const ack = await sender.send(env.bytes);
    expect(['stored', 'delivered']).toContain(ack);
    await inbox.waitFor(1);
    expect(inbox.received[0]!.id).toBe(env.id);
    expect(Buffer.from(inbox.received[0]!.envelope).equals(Buffer.from(env.bytes))).toBe(true);
    sender.close();
    recipient.close();
  });

  it('queues for an offline device and delivers in order on reconnect; unacked envelopes come again', async () => {
    const alice = await registered();
    const bob = await registered(['phone']);
    const bobPhone = bob.devices[0]!;
    const sender = await connectDevice(relay.url, alice, alice.devices[0]!);
    const sent = [];
    for (let i = 0; i < 50; i++) {
      const env = sealedEnvelope(bobPhone.keys.deviceId);
      expect(await sender.send(env.bytes)).toBe('stored');
      sent.push(env.id);
    }
    // First connection receives but acks nothing: everything must come again.
    const first = await connectDevice(relay.url, bob, bobPhone);
    const unacked = new Inbox(first, false);
    await unacked.waitFor(50);
    expect(unacked.received.map((e) => e.id)).toEqual(sent);
    first.close();

    const second = await connectDevice(relay.url, bob, bobPhone);
    const inbox = new Inbox(second);
    await inbox.waitFor(50);
    expect(inbox.received.map((e) => e.id)).toEqual(sent);
    second.close();

    // Acked: nothing left.
    const third = await connectDevice(relay.url, bob, bobPhone);
    const empty = new Inbox(third);
    const probe = sealedEnvelope(bobPhone.keys.deviceId);
    await sender.send(probe.bytes);
    await empty.waitFor(1);
    expect(empty.received.map((e) => e.id)).toEqual([probe.id]);
    third.close();
    sender.close();
  });

  it('treats a duplicate envelope id for the same device as one envelope', async () => {
    const alice = await registered();
    const bob = await registered();
    const sender = await connectDevice(relay.url, alice, alice.devices[0]!);
    const env = sealedEnvelope(bob.devices[0]!.keys.deviceId);
    await sender.send(env.bytes);
    await sender.send(env.bytes);
    const other = sealedEnvelope(bob.devices[0]!.keys.deviceId);
    await sender.send(other.bytes);
    const recipient = await connectDevice(relay.url, bob, bob.devices[0]!);
    const inbox = new Inbox(recipient);
    await inbox.waitFor(2);
    await new Promise((r) => setTimeout(r, 200));
    expect(inbox.received.map((e) => e.id)).toEqual([env.id, other.id]);
    recipient.close();
    sender.close();
  });

  it('refuses envelopes for unknown devices, already-expired envelopes and unauthenticated senders', async () => {
    const alice = await registered();
    const sender = await connectDevice(relay.url, alice, alice.devices[0]!);
    const stranger = new TestAccount().addDevice('phone');
    await expect(sender.send(sealedEnvelope(stranger.keys.deviceId).bytes)).rejects.toMatchObject({ code: 'UNKNOWN_DEVICE' });
    const expired = sealedEnvelope(alice.devices[0]!.keys.deviceId, { sentAt: Date.now() - 10_000, ttlMs: 1000 });
    await expect(sender.send(expired.bytes)).rejects.toMatchObject({ code: 'EXPIRED' });
    const anonymous = await openClient(relay.url);
    const err = await anonymous.send(sealedEnvelope(alice.devices[0]!.keys.deviceId).bytes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RelayError);
    expect((err as RelayError).code).toBe('UNAUTHENTICATED');
    anonymous.close();
    sender.close();
  });

  it('hands each one-time prekey out once and counts what is left', async () => {
    const bob = await registered(['phone', 'desktop']);
    const [phone, desk] = bob.devices as [typeof bob.devices[0], typeof bob.devices[0]];
    const phoneClient = await connectDevice(relay.url, bob, phone);
    const deskClient = await connectDevice(relay.url, bob, desk);
    await phoneClient.putSignedPrekey(new Uint8Array(96).fill(1));
    await deskClient.putSignedPrekey(new Uint8Array(96).fill(2));
    expect(await phoneClient.putOneTimePrekeys([1, 2].map((id) => ({ id, key: new Uint8Array(32).fill(id) })))).toBe(2);
    const alice = await registered();
    const aliceClient = await connectDevice(relay.url, alice, alice.devices[0]!);
    const first = await aliceClient.getPrekeyBundles(bob.accountId);
    expect(first.map((b) => b.deviceId).sort()).toEqual([phone.keys.deviceId, desk.keys.deviceId].sort());
    const phoneBundle = first.find((b) => b.deviceId === phone.keys.deviceId)!;
    expect(phoneBundle.oneTimePrekey?.id).toBe(1);
    expect(first.find((b) => b.deviceId === desk.keys.deviceId)!.oneTimePrekey).toBeUndefined();
    const second = await aliceClient.getPrekeyBundles(bob.accountId);
    expect(second.find((b) => b.deviceId === phone.keys.deviceId)!.oneTimePrekey?.id).toBe(2);
    const third = await aliceClient.getPrekeyBundles(bob.accountId);
    expect(third.find((b) => b.deviceId === phone.keys.deviceId)!.oneTimePrekey).toBeUndefined();
    expect(await phoneClient.countOneTimePrekeys()).toBe(0);
    await expect(aliceClient.getPrekeyBundles(new TestAccount().accountId)).rejects.toMatchObject({ code: 'UNKNOWN_ACCOUNT' });

    await phoneClient.putAttestation('profile', new Uint8Array([1, 2, 3]));
    const attestations = await aliceClient.getAttestations(bob.accountId);
    expect(attestations.map((a) => [a.name, [...a.blob]])).toEqual([['profile', [1, 2, 3]]]);
    expect(await aliceClient.getDeviceList(bob.accountId)).toBeInstanceOf(Uint8Array);
    for (const c of [phoneClient, deskClient, aliceClient]) c.close();
  });

  it('logs ids and codes, never ciphertext or device names', async () => {
    const alice = await registered();
    const bob = await registered(['desktop']);
    const sender = await connectDevice(relay.url, alice, alice.devices[0]!);
    const marker = Buffer.from('PLANTED-PATIENT-NAME-0042');
    const env = sealedEnvelope(bob.devices[0]!.keys.deviceId);
    const planted = Buffer.concat([Buffer.from(env.bytes.subarray(0, env.bytes.length - 64)), marker, Buffer.alloc(64 - marker.length)]);
    await sender.send(planted).catch(() => undefined);
    await sender.send(env.bytes);
    sender.close();
    await new Promise((r) => setTimeout(r, 300));
    const logs = relay.logs();
    expect(logs).toContain(alice.accountId);
    for (const secret of ['PLANTED', 'Ward desk', Buffer.from(env.bytes).toString('hex').slice(-40), Buffer.from(env.bytes).toString('base64').slice(-40)]) {
      expect(logs).not.toContain(secret);
    }
  });

  it('serves /health', async () => {
    const health = await relay.health();
    expect(health.status).toBe('ok');
    expect(typeof health.connections).toBe('number');
  });
});

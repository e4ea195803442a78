import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startRelay, type RunningRelay } from '../../server/relay';
import { systemClock } from '../shared/clock';
import { isWardlineError } from '../shared/errors';
import { decodeContent, encodeContent } from '../shared/messages/content';
import { newMessageId } from '../shared/messages/message-id';
import { verifyDeviceList } from '../shared/protocol/device-list';
import { fanOut } from '../shared/protocol/fan-out';
import { createPairingOffer, openRendezvousChannel, runDesktopPairing, newWorkstationId, type DesktopPairingResult } from '../shared/protocol/pairing';
import { createSignedPrekey } from '../shared/protocol/prekeys';
import { SessionCipher } from '../shared/protocol/session-cipher';
import { InMemorySessionStore } from '../shared/protocol/session-store';
import { RelayClient } from '../shared/wire/relay-client';
import { relayAuthSigner } from '../shared/wire/relay-auth';
import { verifyWipeCommand } from '../shared/wire/wipe-command';
import { CompanionPhone } from './companion-phone';
import { PHONE_STATE_FILE } from './phone-state';

let relay: RunningRelay;
let dir: string;
const open: CompanionPhone[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wardline-phone-test-'));
  relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'relay'), logLevel: 'silent' });
});
afterAll(async () => {
  for (const p of open) await p.close();
  await relay.close();
  rmSync(dir, { recursive: true, force: true });
});

const logLines: string[] = [];
async function phone(name: string, dataDir?: string): Promise<CompanionPhone> {
  const p = await CompanionPhone.create({
    relayUrl: relay.url,
    profile: { displayName: name, profession: 'Nurse' },
    log: (event, fields) => logLines.push(JSON.stringify({ event, ...fields })),
    ...(dataDir ? { dataDir } : {}),
  });
  open.push(p);
  return p;
}

const connect = (url: string) => RelayClient.connect({ url, connect: (u) => new WebSocket(u) });

/** Plays the desktop side with protocol code only: pairs through the relay rendezvous, then goes online as the new device. */
async function pairDesktop(p: CompanionPhone, workstationId = newWorkstationId()): Promise<{ result: DesktopPairingResult; client: RelayClient; cipher: SessionCipher }> {
  const offer = createPairingOffer(relay.url, systemClock);
  const desktopRv = await connect(relay.url);
  const channel = await openRendezvousChannel(desktopRv, offer.offer.channelId);
  let shown = '';
  const [result, phoneResult] = await Promise.all([
    runDesktopPairing(channel, offer, { workstationId, name: 'Ward 4 desk' }, { onConfirmationCode: (c) => (shown = c) }),
    p.pairDesktop(offer.url, { approve: (req) => req.confirmationCode === shown && req.desktopName === 'Ward 4 desk' }),
  ]);
  desktopRv.close();
  expect(phoneResult.confirmationCode).toBe(result.confirmationCode);
  const client = await connect(relay.url);
  await client.authenticate(result.accountId, result.deviceKeys.deviceId, relayAuthSigner(result.deviceKeys.signing.secretKey));
  const store = new InMemorySessionStore();
  const spk = createSignedPrekey(result.deviceKeys, 1, Date.now());
  store.addSignedPrekey(spk.secret);
  await client.putSignedPrekey(spk.published);
  const cipher = new SessionCipher({ accountId: result.accountId, device: result.deviceKeys, certificate: result.certificateBytes, store });
  return { result, client, cipher };
}

describe('companion phone', () => {
  it('registers two accounts that exchange messages and receipts through a real relay', async () => {
    const a = await phone('Dr. A');
    const b = await phone('Nurse B');
    const id = await a.sendText(b.accountId, 'Bed 7 needs review');
    const got = await b.waitForMessage((m) => m.content.kind === 'text' && m.content.id === id, 5000);
    expect(got.from).toBe(a.accountId);
    expect(got.ownCopy).toBe(false);
    expect(got.content).toMatchObject({ kind: 'text', body: 'Bed 7 needs review', to: b.accountId });
    const receipt = await a.waitForMessage((m) => m.content.kind === 'receipt' && m.content.ids.includes(id), 5000);
    expect(receipt.content).toMatchObject({ receipt: 'delivered' });

    await b.sendReceipt(a.accountId, 'read', [id]);
    await a.waitForMessage((m) => m.content.kind === 'receipt' && m.content.receipt === 'read', 5000);
    const reply = await b.sendText(a.accountId, 'On my way');
    await a.waitForMessage((m) => m.content.kind === 'text' && m.content.id === reply, 5000);
    expect(logLines.length).toBeGreaterThan(0);
    for (const planted of ['Bed 7 needs review', 'On my way', 'Dr. A', 'Nurse B']) expect(logLines.join('\n')).not.toContain(planted);
  });

  it('links a desktop that then receives fan-out, syncs sent messages back, and is revoked with a wipe', async () => {
    const a = await phone('Dr. A');
    const b = await phone('Nurse B');
    await a.sendText(b.accountId, 'before pairing');
    const desk = await pairDesktop(a);
    expect(desk.result.snapshot.messages.map((m) => m.body)).toContain('before pairing');
    expect(a.linkedDesktops.map((d) => d.deviceId)).toEqual([desk.result.deviceKeys.deviceId]);
    expect(a.ownDeviceList.devices).toHaveLength(2);

    const resolver = async (accountId: string) => {
      const bytes = await desk.client.getDeviceList(accountId as never);
      return bytes ? verifyDeviceList(bytes) : undefined;
    };
    const inbox: { text: string; from: string }[] = [];
    desk.client.on('envelope', (e) => {
      void desk.cipher
        .decrypt(e.envelope, resolver)
        .then((m) => {
          const c = decodeContent(m.plaintext);
          if (c.kind === 'text') inbox.push({ text: c.body, from: m.senderAccountId });
          desk.client.ack(e.id);
        })
        .catch((err: unknown) => {
          // An envelope still in flight when the test closes the desktop's connection cannot look
          // up its sender any more; any other failure is a real one.
          if (desk.client.isOpen) throw err;
        });
    });
    // B → A reaches both A's phone and A's desktop.
    const id = await b.sendText(a.accountId, 'to both devices');
    await a.waitForMessage((m) => m.content.kind === 'text' && m.content.id === id, 5000);
    await expect.poll(() => inbox.map((x) => x.text), { timeout: 5000 }).toContain('to both devices');

    // The desktop replies: B gets it, and A's phone gets its own-device copy.
    const bList = verifyDeviceList((await desk.client.getDeviceList(b.accountId))!);
    const ownList = verifyDeviceList((await desk.client.getDeviceList(a.accountId))!);
    const bundles = new Map();
    for (const acc of [b.accountId, a.accountId]) {
      for (const x of await desk.client.getPrekeyBundles(acc)) {
        bundles.set(x.deviceId, { accountId: acc, deviceId: x.deviceId, signedPrekey: x.signedPrekey, ...(x.oneTimePrekey ? { oneTimePrekey: x.oneTimePrekey } : {}) });
      }
    }
    const replyId = newMessageId();
    const out = await fanOut(desk.cipher, { recipients: [bList], own: ownList }, encodeContent({ kind: 'text', id: replyId, to: b.accountId, body: 'from the desk', sentAt: Date.now() }), { bundles });
    for (const e of out.envelopes) await desk.client.send(e.bytes);
    await b.waitForMessage((m) => m.content.kind === 'text' && m.content.id === replyId, 5000);
    const copy = await a.waitForMessage((m) => m.content.kind === 'text' && m.content.id === replyId, 5000);
    expect(copy.ownCopy).toBe(true);
    expect(copy.content).toMatchObject({ to: b.accountId });

    const wiped = new Promise<Uint8Array>((resolve) => desk.client.on('wipe', (w) => resolve(w.command)));
    await a.revokeDesktop(desk.result.deviceKeys.deviceId);
    const command = verifyWipeCommand(await wiped, desk.result.identityKey);
    expect(command.deviceId).toBe(desk.result.deviceKeys.deviceId);
    expect(a.linkedDesktops).toHaveLength(0);
    const observer = await connect(relay.url);
    const after = verifyDeviceList((await observer.getDeviceList(a.accountId))!);
    expect(after.devices.map((d) => d.deviceId)).toEqual([a.deviceId]);
    observer.close();
    desk.client.close();
  });

  it('a QR photographer who joins first only links the desktop to its own account; the real phone is refused', async () => {
    const victim = await phone('Dr. Victim');
    const attacker = await phone('Mallory');
    const offer = createPairingOffer(relay.url, systemClock);
    const desktopRv = await connect(relay.url);
    const channel = await openRendezvousChannel(desktopRv, offer.offer.channelId);
    const desktop = runDesktopPairing(channel, offer, { workstationId: newWorkstationId(), name: 'Ward 4 desk' });
    const stolen = await attacker.pairDesktop(offer.url, { approve: () => true });
    const result = await desktop;
    expect(result.accountId).toBe(attacker.accountId);
    expect(result.profile.displayName).toBe('Mallory');
    const refused = await victim.pairDesktop(offer.url, { approve: () => true }).catch((e: unknown) => e);
    expect(isWardlineError(refused) && ['RENDEZVOUS_FULL', 'RENDEZVOUS_CLOSED'].includes(refused.code)).toBe(true);
    expect(victim.linkedDesktops).toHaveLength(0);
    expect(stolen.desktop.deviceId).toBe(result.deviceKeys.deviceId);
    desktopRv.close();
  });

  it('a re-pair of the same workstation replaces its old device and hands back the same database key', async () => {
    const a = await phone('Dr. A');
    const workstation = newWorkstationId();
    const first = await pairDesktop(a, workstation);
    first.client.close();
    const second = await pairDesktop(a, workstation);
    second.client.close();
    expect(first.result.databaseKeyReused).toBe(false);
    expect(second.result.databaseKeyReused).toBe(true);
    expect(Buffer.from(second.result.databaseKey.bytes).equals(Buffer.from(first.result.databaseKey.bytes))).toBe(true);
    expect(a.linkedDesktops.map((d) => d.deviceId)).toEqual([second.result.deviceKeys.deviceId]);
    expect(a.ownDeviceList.devices.map((d) => d.deviceId).sort()).toEqual([a.deviceId, second.result.deviceKeys.deviceId].sort());
  });

  it('keeps its account and sessions in a private file in the data directory', async () => {
    const dataDir = join(dir, 'phone-a');
    const a = await phone('Dr. Persistent', dataDir);
    const b = await phone('Nurse B');
    await b.sendText(a.accountId, 'first');
    await a.waitForMessage((m) => m.content.kind === 'text', 5000);
    const accountId = a.accountId;
    await a.close();
    const again = await CompanionPhone.open({ dataDir, relayUrl: relay.url });
    open.push(again);
    expect(again.accountId).toBe(accountId);
    const id = await b.sendText(accountId, 'second');
    const m = await again.waitForMessage((x) => x.content.kind === 'text' && x.content.id === id, 5000);
    expect(m.content).toMatchObject({ body: 'second' });
    const err = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'x', profession: '' }, dataDir }).catch((e: unknown) => e);
    expect(isWardlineError(err) && err.code).toBe('ACCOUNT_EXISTS');
    expect(statSync(join(dataDir, PHONE_STATE_FILE)).mode & 0o077).toBe(0);
  });
});

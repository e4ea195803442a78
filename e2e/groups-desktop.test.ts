/**
 * Groups on the desktop through a real relay process, companion phones and the desktop core's
 * API: the desktop (a device of Dr. Me's account) creates a group with two colleagues' phones,
 * its message reaches both, a colleague's group message lands in the group thread with the
 * sender's name, and a membership change forged by a member (valid device, no admin role) or by
 * someone holding the admin's certificate but not its key is refused and shown nowhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import { createDesktopCore, type DesktopCore } from '../src/main/core/desktop-core';
import { createCoreLogger } from '../src/main/core/logging';
import { CompanionPhone } from '../src/phone/companion-phone';
import { FakeClock } from '../src/shared/clock';
import { signGroupChange } from '../src/shared/groups/group-change';
import type { GroupId } from '../src/shared/groups/group-id';
import { buildGroupState, groupMember, withoutHash } from '../src/shared/groups/group-state';
import { encodeContent } from '../src/shared/messages/content';
import { newMessageId } from '../src/shared/messages/message-id';
import { createCertifiedDevice } from '../src/shared/protocol/device-certificate';
import { signDeviceList, verifyDeviceList } from '../src/shared/protocol/device-list';
import { fanOut } from '../src/shared/protocol/fan-out';
import { createAccountIdentity } from '../src/shared/protocol/identity';
import { SessionCipher } from '../src/shared/protocol/session-cipher';
import { InMemorySessionStore } from '../src/shared/protocol/session-store';
import { relayAuthSigner } from '../src/shared/wire/relay-auth';
import { RelayClient } from '../src/shared/wire/relay-client';
import { coreApiCaller, recordCoreEvents, type RecordedEvents } from './support/core-api';
import { SENT_OR_DELIVERED } from './support/message-states';

const logger = createCoreLogger({ level: 'silent' });
const TIMEOUT = 15_000;
let relay: RelayProcess;
let core: DesktopCore;
let events: RecordedEvents;
let me: CompanionPhone;
let colleagueA: CompanionPhone;
let colleagueB: CompanionPhone;
let dataDir: string;
const call = coreApiCaller(() => core, logger);

/** A device that speaks the protocol but is no admin: it can send any content it likes to Dr. Me's devices. */
async function rogueDevice() {
  const clock = new FakeClock(Date.now());
  const account = createAccountIdentity();
  const { keys, certificate } = createCertifiedDevice(account, 'phone', 'rogue', clock.now());
  const client = await RelayClient.connect({ url: relay.url, connect: (url) => new WebSocket(url) });
  const ownList = signDeviceList(account, 1, [certificate], clock.now());
  await client.publishDeviceList(ownList);
  await client.authenticate(account.accountId, keys.deviceId, relayAuthSigner(keys.signing.secretKey));
  const cipher = new SessionCipher({ accountId: account.accountId, device: keys, certificate, store: new InMemorySessionStore({ clock }), clock });
  return {
    account,
    accountId: account.accountId,
    device: keys,
    keys,
    certificate,
    /** Sends a plaintext to every device of Dr. Me's account (phone and this desktop). */
    async sendToMe(plaintext: Uint8Array) {
      const target = verifyDeviceList((await client.getDeviceList(me.accountId))!);
      const bundles = new Map((await client.getPrekeyBundles(me.accountId)).map((b) => [b.deviceId, { accountId: me.accountId, ...b }]));
      const result = await fanOut(cipher, { recipients: [target], own: verifyDeviceList(ownList) }, plaintext, { bundles });
      for (const e of result.envelopes) await client.send(e.bytes);
      return result.envelopes.length;
    },
    close: () => client.close(),
  };
}

beforeAll(async () => {
  relay = await spawnRelay();
  me = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Me', profession: 'GP' } });
  colleagueA = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Anna Visser', profession: 'Cardiology' } });
  colleagueB = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Nurse Bram de Vries', profession: 'Ward 4' } });
  dataDir = mkdtempSync(join(tmpdir(), 'wardline-groups-e2e-'));
  core = await createDesktopCore({ dataDir, relayUrl: relay.url, workstationName: 'Ward 4', logger });
  events = recordCoreEvents(core);
  const offer = await call('pairing.start', {});
  await me.pairDesktop(offer.url, { approve: () => true });
  for (let i = 0; i < 100 && (await call('app.getState', {})).phase !== 'ready'; i++) await new Promise((r) => setTimeout(r, 50));
  expect((await call('app.getState', {})).phase).toBe('ready');
}, 60_000);

afterAll(async () => {
  // Each may be missing when beforeAll failed half-way.
  await (core as DesktopCore | undefined)?.close();
  for (const p of [me, colleagueA, colleagueB] as (CompanionPhone | undefined)[]) await p?.close();
  await (relay as RelayProcess | undefined)?.stop();
  if ((dataDir as string | undefined) !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('groups on the desktop (real relay, phones and core)', () => {
  let groupId: GroupId;
  let conversationId: string;

  it('creates a group signed by the desktop device; both colleagues and our own phone accept it', async () => {
    const seenA = colleagueA.groups.waitForEvent((e) => e.type === 'changed', TIMEOUT);
    const seenB = colleagueB.groups.waitForEvent((e) => e.type === 'changed', TIMEOUT);
    const seenMine = me.groups.waitForEvent((e) => e.type === 'changed', TIMEOUT);
    const info = await call('groups.create', { kind: 'group', name: 'Ward 4 MDT', memberAccountIds: [colleagueA.accountId, colleagueB.accountId] });
    groupId = info.groupId as GroupId;
    conversationId = info.conversationId;
    expect(info).toMatchObject({ kind: 'group', name: 'Ward 4 MDT', version: 1, myRole: 'admin' });
    expect(info.members.map((m) => [m.accountId, m.role]).sort()).toEqual(
      [[me.accountId, 'admin'], [colleagueA.accountId, 'member'], [colleagueB.accountId, 'member']].sort(),
    );
    for (const seen of [seenA, seenB, seenMine]) expect(await seen).toMatchObject({ type: 'changed', groupId, actor: me.accountId });
    const list = await call('conversations.list', {});
    expect(list.find((c) => c.id === conversationId)).toMatchObject({ kind: 'group', title: 'Ward 4 MDT', peerAccountId: '', group: { role: 'admin', memberCount: 3, readOnly: false } });
  }, 30_000);

  it('a group message from the desktop reaches both colleagues (and our phone)', async () => {
    const body = 'Handover at 16:00 in the ward office';
    const gotA = colleagueA.groups.waitForEvent((e) => e.type === 'message', TIMEOUT);
    const gotB = colleagueB.groups.waitForEvent((e) => e.type === 'message', TIMEOUT);
    const sent = await call('messages.send', { conversationId, text: body });
    expect(sent).toMatchObject({ conversationId, direction: 'out', state: SENT_OR_DELIVERED });
    for (const got of [gotA, gotB]) {
      const e = await got;
      expect(e.type === 'message' && e.content.kind === 'text' ? [e.groupId, e.from, e.content.body] : null).toEqual([groupId, me.accountId, body]);
    }
  }, 30_000);

  it('a group attachment from the desktop reaches a colleague, who decrypts the same bytes', async () => {
    const file = new TextEncoder().encode('%PDF-1.4\n% ECG ward 4 bed 7\n%%EOF\n');
    const got = colleagueA.groups.waitForEvent((e) => e.type === 'message' && e.content.kind === 'attachment', TIMEOUT);
    const sent = await call('messages.sendAttachment', { conversationId, fileName: 'ecg.pdf', mimeType: 'application/pdf', data: Buffer.from(file).toString('base64') });
    expect(sent).toMatchObject({ conversationId, state: SENT_OR_DELIVERED, attachments: [{ kind: 'pdf', size: file.length }] });
    const e = await got;
    if (e.type !== 'message' || e.content.kind !== 'attachment') throw new Error('not an attachment');
    expect(e.groupId).toBe(groupId);
    expect(await colleagueA.fetchAttachment(e.content)).toEqual(file);
  }, 30_000);

  it('a colleague’s group message lands in the group thread with the sender’s name, not in a 1:1 chat', async () => {
    const from = events.events.length;
    await colleagueA.groups.sendText(groupId, 'Echo shows reduced EF');
    const added = await events.waitFor('message.added', (m) => m.body === 'Echo shows reduced EF', { from, timeoutMs: TIMEOUT });
    expect(added).toMatchObject({ conversationId, direction: 'in', senderAccountId: colleagueA.accountId, senderVerification: { identity: false, registration: false } });
    await expect.poll(async () => (await call('messages.page', { conversationId })).messages.find((m) => m.id === added.id)?.senderName, { timeout: TIMEOUT }).toBe('Dr. Anna Visser');
    const list = await call('conversations.list', {});
    expect(list.filter((c) => c.peerAccountId === colleagueA.accountId)).toEqual([]);
  }, 30_000);

  it('refuses membership changes a member forged, or signed with a stolen certificate, and shows them nowhere', async () => {
    // The rogue account is made a plain member by the desktop (an honest admin action).
    const rogue = await rogueDevice();
    try {
      const added = await call('groups.addMembers', { groupId, accountIds: [rogue.account.accountId] });
      expect(added.version).toBe(2);
      await expect.poll(() => me.groups.get(groupId)?.version, { timeout: TIMEOUT }).toBe(2);
      const before = { info: await call('groups.get', { conversationId }), list: await call('conversations.list', {}), page: await call('messages.page', { conversationId }) };
      // What the rogue member would like: itself as admin, Dr. Me removed.
      const state = me.groups.get(groupId)!;
      const wanted = buildGroupState(
        { ...withoutHash(state), members: [...state.members.filter((m) => m.accountId !== me.accountId && m.accountId !== rogue.account.accountId), groupMember(rogue.account.identity.publicKey, 'admin')] },
        state.version + 1,
      );
      const fields = { groupId, version: state.version + 1, previousHash: state.hash, resultHash: wanted.hash, op: { op: 'remove' as const, accountIds: [me.accountId] } };
      const byMember = signGroupChange(rogue, fields, Date.now());
      // The same change claiming Dr. Me (the admin) as its actor, signed by the rogue's device.
      const claimingAdmin = signGroupChange({ accountId: me.accountId, device: rogue.keys, certificate: rogue.certificate }, fields, Date.now());
      for (const change of [byMember, claimingAdmin]) expect(await rogue.sendToMe(encodeContent({ kind: 'group-change', change }))).toBeGreaterThan(0);
      // A text the rogue may send (it is a member) tells us when the desktop has handled what came before it.
      const marker = 'marker after the forged changes';
      await rogue.sendToMe(encodeContent({ kind: 'text', id: newMessageId(), to: rogue.account.accountId, body: marker, sentAt: Date.now(), groupId }));
      await events.waitFor('message.added', (m) => m.body === marker, { timeoutMs: TIMEOUT });
      const after = { info: await call('groups.get', { conversationId }), list: await call('conversations.list', {}), page: await call('messages.page', { conversationId }) };
      expect(after.info).toEqual(before.info);
      expect(after.list.map((c) => [c.id, c.title, c.group])).toEqual(before.list.map((c) => [c.id, c.title, c.group]));
      expect(after.page.messages.map((m) => m.body).sort()).toEqual([...before.page.messages.map((m) => m.body), marker].sort());
    } finally {
      rogue.close();
    }
  }, 45_000);

  it('a broadcast list from the desktop: recipients learn only the admin and themselves', async () => {
    const annaSees = colleagueA.groups.waitForEvent((e) => e.type === 'changed' && e.state.kind === 'broadcast', TIMEOUT);
    const list = await call('groups.create', { kind: 'broadcast', name: 'Pharmacy recalls', memberAccountIds: [colleagueA.accountId, colleagueB.accountId] });
    expect(list.members).toHaveLength(3);
    const seen = await annaSees;
    expect(seen.type === 'changed' ? seen.state.members.map((m) => m.accountId).sort() : null).toEqual([me.accountId, colleagueA.accountId].sort());
    const gotB = colleagueB.groups.waitForEvent((e) => e.type === 'message' && e.content.kind === 'text' && e.content.body === 'Batch 42 recalled', TIMEOUT);
    expect(await call('messages.send', { conversationId: list.conversationId, text: 'Batch 42 recalled' })).toMatchObject({ state: SENT_OR_DELIVERED });
    await gotB;
  }, 30_000);

  it('as a broadcast recipient the desktop thread is read-only and shows only the admin', async () => {
    const from = events.events.length;
    await colleagueB.groups.create({ kind: 'broadcast', name: 'Ward 4 rota', members: [me.accountId, colleagueA.accountId] });
    const changed = await events.waitFor('groups.changed', () => true, { from, timeoutMs: TIMEOUT });
    const info = await call('groups.get', { conversationId: changed.conversationId });
    expect(info).toMatchObject({ kind: 'broadcast', myRole: 'member' });
    expect(info.members.map((m) => m.accountId).sort()).toEqual([me.accountId, colleagueB.accountId].sort());
    const summary = (await call('conversations.list', {})).find((c) => c.id === changed.conversationId);
    expect(summary).toMatchObject({ kind: 'broadcast', group: { readOnly: true, role: 'member' } });
    await expect(call('messages.send', { conversationId: changed.conversationId, text: 'reply all' })).rejects.toMatchObject({ code: 'GROUP_NOT_ALLOWED' });
  }, 30_000);

  it('leaving is a signed self-removal the colleagues apply; the thread stays, read-only', async () => {
    const seenA = colleagueA.groups.waitForEvent((e) => e.type === 'changed' && e.state.members.every((m) => m.accountId !== me.accountId), TIMEOUT);
    await expect(call('groups.leave', { groupId })).rejects.toMatchObject({ code: 'GROUP_NOT_ALLOWED' });
    await call('groups.leave', { groupId, successorAccountId: colleagueA.accountId });
    await seenA;
    const info = await call('groups.get', { conversationId });
    expect(info.myRole).toBeNull();
    const summary = (await call('conversations.list', {})).find((c) => c.id === conversationId);
    expect(summary?.group).toMatchObject({ role: null, readOnly: true });
    await expect(call('messages.send', { conversationId, text: 'still here?' })).rejects.toMatchObject({ code: 'GROUP_NOT_ALLOWED' });
  }, 30_000);
});

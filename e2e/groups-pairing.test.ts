/**
 * Groups reach a desktop through the pairing snapshot, through a real relay process: nurse A's
 * phone creates a ward group with B and receives B's broadcast list, then pairs a fresh desktop.
 * Without any later group change, the desktop lists both, sends into the group (B receives it),
 * receives B's group message in the group thread, and shows B's broadcast list read-only with
 * only the admin and A in it (what A's phone holds: its own view). The logs carry no group names.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import { createDesktopCore, type DesktopCore } from '../src/main/core/desktop-core';
import { createCoreLogger } from '../src/main/core/logging';
import { CompanionPhone } from '../src/phone/companion-phone';
import type { GroupState } from '../src/shared/groups/group-state';
import { coreApiCaller, recordCoreEvents, type RecordedEvents } from './support/core-api';
import { SENT_OR_DELIVERED } from './support/message-states';

const TIMEOUT = 15_000;
const GROUP_NAME = 'Ward 7 night shift';
const LIST_NAME = 'Ward 7 rota changes';
const logLines: string[] = [];
const logger = createCoreLogger({
  level: 'debug',
  destination: new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
});
const silent = createCoreLogger({ level: 'silent' });
let relay: RelayProcess;
let core: DesktopCore;
let events: RecordedEvents;
let nurseA: CompanionPhone;
let nurseB: CompanionPhone;
let dataDir: string;
let group: GroupState;
let list: GroupState;
const call = coreApiCaller(() => core, silent);

beforeAll(async () => {
  relay = await spawnRelay();
  nurseA = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Nurse A', profession: 'Ward 7' } });
  nurseB = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Nurse B', profession: 'Ward 7' } });

  // Before any desktop exists: A's group with B, and B's broadcast list with A as a recipient.
  const bSeesGroup = nurseB.groups.waitForEvent((e) => e.type === 'changed', TIMEOUT);
  group = await nurseA.groups.create({ kind: 'group', name: GROUP_NAME, members: [nurseB.accountId] });
  await bSeesGroup;
  const aSeesList = nurseA.groups.waitForEvent((e) => e.type === 'changed' && e.state.kind === 'broadcast', TIMEOUT);
  list = await nurseB.groups.create({ kind: 'broadcast', name: LIST_NAME, members: [nurseA.accountId] });
  await aSeesList;

  dataDir = mkdtempSync(join(tmpdir(), 'wardline-groups-pairing-e2e-'));
  core = await createDesktopCore({ dataDir, relayUrl: relay.url, workstationName: 'Ward 7 desk', logger });
  events = recordCoreEvents(core);
  const offer = await call('pairing.start', {});
  await nurseA.pairDesktop(offer.url, { approve: () => true });
  for (let i = 0; i < 100 && (await call('app.getState', {})).phase !== 'ready'; i++) await new Promise((r) => setTimeout(r, 50));
  expect((await call('app.getState', {})).phase).toBe('ready');
}, 60_000);

afterAll(async () => {
  await (core as DesktopCore | undefined)?.close();
  for (const p of [nurseA, nurseB] as (CompanionPhone | undefined)[]) await p?.close();
  await (relay as RelayProcess | undefined)?.stop();
  if ((dataDir as string | undefined) !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('groups in the pairing snapshot (real relay, phones and core)', () => {
  it('the new desktop lists the group and the broadcast list it never saw a change of', async () => {
    const conversations = await call('conversations.list', {});
    expect(conversations.find((c) => c.title === GROUP_NAME)).toMatchObject({ kind: 'group', group: { role: 'admin', memberCount: 2, readOnly: false } });
    const info = await call('groups.get', { conversationId: conversations.find((x) => x.title === GROUP_NAME)!.id });
    expect(info).toMatchObject({ groupId: group.groupId, kind: 'group', version: group.version, myRole: 'admin' });
    expect(info.members.map((m) => m.accountId).sort()).toEqual([nurseA.accountId, nurseB.accountId].sort());
  });

  it('sends a group message that B receives', async () => {
    const c = (await call('conversations.list', {})).find((x) => x.title === GROUP_NAME)!;
    const body = 'Bed 12 needs a fluid balance check';
    const gotB = nurseB.groups.waitForEvent((e) => e.type === 'message' && e.content.kind === 'text' && e.content.body === body, TIMEOUT);
    expect(await call('messages.send', { conversationId: c.id, text: body })).toMatchObject({ conversationId: c.id, direction: 'out', state: SENT_OR_DELIVERED });
    const e = await gotB;
    expect(e.type === 'message' ? [e.groupId, e.from] : null).toEqual([group.groupId, nurseA.accountId]);
  }, 30_000);

  it('receives B’s group message in the group thread', async () => {
    const c = (await call('conversations.list', {})).find((x) => x.title === GROUP_NAME)!;
    const from = events.events.length;
    await nurseB.groups.sendText(group.groupId, 'Done, balance is even');
    const added = await events.waitFor('message.added', (m) => m.body === 'Done, balance is even', { from, timeoutMs: TIMEOUT });
    expect(added).toMatchObject({ conversationId: c.id, direction: 'in', senderAccountId: nurseB.accountId });
  }, 30_000);

  it('shows B’s broadcast list read-only, with only the admin and A (A’s own view)', async () => {
    const c = (await call('conversations.list', {})).find((x) => x.title === LIST_NAME);
    expect(c).toMatchObject({ kind: 'broadcast', group: { readOnly: true, role: 'member' } });
    const info = await call('groups.get', { conversationId: c!.id });
    expect(info).toMatchObject({ groupId: list.groupId, kind: 'broadcast', myRole: 'member' });
    expect(info.members.map((m) => m.accountId).sort()).toEqual([nurseA.accountId, nurseB.accountId].sort());
    await expect(call('messages.send', { conversationId: c!.id, text: 'reply all' })).rejects.toMatchObject({ code: 'GROUP_NOT_ALLOWED' });
    // The list's admin can still reach the new desktop.
    const from = events.events.length;
    await nurseB.groups.sendText(list.groupId, 'Night rota swapped for Friday');
    expect(await events.waitFor('message.added', (m) => m.body === 'Night rota swapped for Friday', { from, timeoutMs: TIMEOUT })).toMatchObject({ conversationId: c!.id, direction: 'in' });
  }, 30_000);

  it('logged no group name or message text', () => {
    const all = logLines.join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of [GROUP_NAME, LIST_NAME, 'Bed 12', 'balance is even', 'Night rota']) expect(all).not.toContain(secret);
  });
});

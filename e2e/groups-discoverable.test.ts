/**
 * Discoverable groups from the desktop, through a real relay with an authority key: the desktop
 * admin makes a group discoverable (a signed listing), a verified colleague's phone finds it and
 * asks to join, the request shows on the desktop and approving it adds the colleague by a signed
 * change. Searching is for verified accounts only, on the desktop as on the phone.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import { verifyAccount } from '../src/admin/authority-admin';
import { createDesktopCore, type DesktopCore } from '../src/main/core/desktop-core';
import { createCoreLogger } from '../src/main/core/logging';
import { CompanionPhone } from '../src/phone/companion-phone';
import { systemClock } from '../src/shared/clock';
import type { GroupId } from '../src/shared/groups/group-id';
import type { VerificationClaims } from '../src/shared/trust/verification-attestation';
import { coreApiCaller, recordCoreEvents, type RecordedEvents } from './support/core-api';
import { asRelayAdmin } from './support/relay-admin';

const logger = createCoreLogger({ level: 'silent' });
const TIMEOUT = 15_000;
const authority = ed25519.keygen();
let relay: RelayProcess;
let core: DesktopCore;
let events: RecordedEvents;
let me: CompanionPhone;
let member: CompanionPhone;
let colleague: CompanionPhone;
let stranger: CompanionPhone;
let dataDir: string;
const call = coreApiCaller(() => core, logger);

const verify = (phone: CompanionPhone, claims: VerificationClaims) =>
  asRelayAdmin(relay.url, (admin) =>
    verifyAccount(admin, authority, systemClock, { accountId: phone.ownDeviceList.accountId, identityKey: phone.ownDeviceList.identityKey, claims }),
  );

beforeAll(async () => {
  const authorityHex = Buffer.from(authority.publicKey).toString('hex');
  relay = await spawnRelay({ args: ['--authority-key', authorityHex] });
  me = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Me', profession: 'GP' } });
  member = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Member', profession: 'GP' } });
  colleague = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Colleague', profession: 'GP' } });
  stranger = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Someone', profession: '' } });
  await verify(colleague, { level: 'registration', registration: { scheme: 'BIG', number: '19012345601' }, name: 'Dr. Colleague', profession: 'GP', organisation: 'Praktijk Oost', city: 'Utrecht' });
  dataDir = mkdtempSync(join(tmpdir(), 'wardline-groups-discoverable-'));
  core = await createDesktopCore({ dataDir, relayUrl: relay.url, workstationName: 'Practice', logger, authorityKey: authority.publicKey });
  events = recordCoreEvents(core);
  const offer = await call('pairing.start', {});
  await me.pairDesktop(offer.url, { approve: () => true });
  for (let i = 0; i < 100 && (await call('app.getState', {})).phase !== 'ready'; i++) await new Promise((r) => setTimeout(r, 50));
  expect((await call('app.getState', {})).phase).toBe('ready');
}, 60_000);

afterAll(async () => {
  // Each may be missing when beforeAll failed half-way.
  await (core as DesktopCore | undefined)?.close();
  for (const p of [me, member, colleague, stranger] as (CompanionPhone | undefined)[]) await p?.close();
  await (relay as RelayProcess | undefined)?.stop();
  if ((dataDir as string | undefined) !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('discoverable groups and join requests (real relay, phones and core)', () => {
  let groupId: GroupId;
  let conversationId: string;

  it('an unverified desktop user cannot search; the admin publishes a signed listing', async () => {
    await expect(call('groups.searchDiscoverable', { query: 'regional' })).rejects.toMatchObject({ code: 'NOT_VERIFIED' });
    const created = await call('groups.create', { kind: 'group', name: 'Regional GPs Utrecht', memberAccountIds: [member.accountId] });
    groupId = created.groupId as GroupId;
    conversationId = created.conversationId;
    const listed = await call('groups.setDiscoverable', { groupId, discoverable: true, description: 'GPs of the Utrecht region' });
    expect(listed).toMatchObject({ discoverable: true, description: 'GPs of the Utrecht region', version: 2 });
  }, 30_000);

  it('an unverified phone is refused the search; a verified colleague finds the group and asks to join', async () => {
    await expect(stranger.groups.search('regional')).rejects.toMatchObject({ code: 'NOT_VERIFIED' });
    const hits = await colleague.groups.search('regional');
    const listing = hits.find((h) => h.groupId === groupId);
    expect(listing).toMatchObject({ name: 'Regional GPs Utrecht', approvers: [me.accountId] });
    const from = events.events.length;
    await colleague.groups.requestJoin(listing!, 'New GP at Praktijk Oost');
    await events.waitFor('groups.changed', (e) => e.groupId === groupId, { from, timeoutMs: TIMEOUT });
    const requests = await call('groups.joinRequests', {});
    expect(requests).toEqual([
      expect.objectContaining({ groupId, groupName: 'Regional GPs Utrecht', accountId: colleague.accountId, note: 'New GP at Praktijk Oost' }),
    ]);
    expect((await call('groups.get', { conversationId })).joinRequests).toHaveLength(1);
  }, 30_000);

  it('approving adds the colleague by a signed change the colleague and the members accept', async () => {
    const colleagueSees = colleague.groups.waitForEvent((e) => e.type === 'changed' && e.state.members.some((m) => m.accountId === colleague.accountId), TIMEOUT);
    const memberSees = member.groups.waitForEvent((e) => e.type === 'changed' && e.state.members.length === 3, TIMEOUT);
    const info = await call('groups.answerJoinRequest', { groupId, accountId: colleague.accountId, approve: true });
    expect(info.members.find((m) => m.accountId === colleague.accountId)).toMatchObject({ role: 'member', verification: { identity: true, registration: true } });
    expect(info.joinRequests).toEqual([]);
    await colleagueSees;
    await memberSees;
    expect(await call('groups.joinRequests', {})).toEqual([]);
    await expect(call('groups.answerJoinRequest', { groupId, accountId: colleague.accountId, approve: false })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  }, 30_000);

  it('once the desktop user is verified, the search finds the group (as a member)', async () => {
    await verify(me, { level: 'identity', name: 'Dr. Me', profession: 'GP' });
    const hits = await call('groups.searchDiscoverable', { query: 'utrecht' });
    expect(hits).toEqual([{ groupId, name: 'Regional GPs Utrecht', description: 'GPs of the Utrecht region', member: true }]);
  }, 30_000);
});

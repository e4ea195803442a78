/**
 * The discoverable-group directory through a real relay process: only verified accounts search,
 * a listing is accepted only for the authenticated account under its pinned identity key, a
 * group listed by one account cannot be taken over by another, and a withdrawal removes it.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../src/shared/bytes';
import { createGroupChange } from '../src/shared/groups/group-change';
import { signGroupListing, verifyGroupListing } from '../src/shared/groups/group-listing';
import { groupMember, type GroupState } from '../src/shared/groups/group-state';
import { DAY_MS, GROUP_LISTINGS_MAX_PER_ACCOUNT } from '../src/shared/limits';
import { encodeCbor } from '../src/shared/protocol/codec';
import { decodeSigned } from '../src/shared/protocol/signing';
import { rejectedCode } from '../src/shared/testing/error-code';
import { issueVerificationAttestation } from '../src/shared/trust/verification-attestation';
import type { RelayClient } from '../src/shared/wire/relay-client';
import { connectDevice, openClient, TestAccount, type TestDevice } from './testing/fixtures';
import { spawnRelay, type RelayProcess } from './testing/relay-process';

const authority = ed25519.keygen();
let relay: RelayProcess;
const clients: RelayClient[] = [];

interface Registered {
  readonly account: TestAccount;
  readonly device: TestDevice;
  readonly client: RelayClient;
}

async function registered(): Promise<Registered> {
  const account = new TestAccount();
  const device = account.addDevice('phone');
  const c = await openClient(relay.url);
  await c.publishDeviceList(account.nextList());
  c.close();
  const client = await connectDevice(relay.url, account, device);
  clients.push(client);
  return { account, device, client };
}

async function verified(r: Registered, name: string): Promise<void> {
  const now = Date.now();
  const attestation = issueVerificationAttestation(authority.secretKey, { level: 'identity', name, profession: 'GP' }, { identityKey: r.account.identity.identity.publicKey, issuedAt: now, expiresAt: now + 30 * DAY_MS });
  await r.client.publishVerification(attestation);
}

const actorOf = (r: Registered) => ({ accountId: r.account.accountId, device: r.device.keys, certificate: r.device.certificate, identityKey: r.account.identity.identity.publicKey });

function discoverableGroup(admin: Registered, name: string, others: Registered[] = []): GroupState {
  const members = [groupMember(admin.account.identity.identity.publicKey, 'admin'), ...others.map((o) => groupMember(o.account.identity.identity.publicKey, 'member'))];
  return createGroupChange(actorOf(admin), null, { op: 'create', kind: 'group', name, discoverable: true, description: 'Antibiotic stewardship, regional', members }, Date.now()).state;
}

beforeAll(async () => {
  relay = await spawnRelay({ args: ['--authority-key', bytesToHex(authority.publicKey)] });
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await relay.stop();
});

describe('discoverable groups at the relay (real relay process)', () => {
  it('lists a published group to verified searchers only', async () => {
    const admin = await registered();
    const searcher = await registered();
    const state = discoverableGroup(admin, 'Stewardship Oost-Vlaanderen');
    await admin.client.publishGroupListing(signGroupListing(actorOf(admin), state, Date.now()));
    expect(await rejectedCode(searcher.client.searchGroups('stewardship'))).toBe('NOT_VERIFIED');
    await verified(searcher, 'Dr. Searcher');
    const hits = await searcher.client.searchGroups('STEWARDSHIP oost');
    expect(hits.map((b) => verifyGroupListing(b).groupId)).toEqual([state.groupId]);
    expect(verifyGroupListing(hits[0]!).approvers).toEqual([admin.account.accountId]);
    expect(await searcher.client.searchGroups('regional')).toHaveLength(1);
    expect(await searcher.client.searchGroups('cardiology')).toEqual([]);
    expect(relay.logs()).not.toContain('Stewardship');
  }, 60_000);

  it('refuses listings for another account, under another key, tampered, or taking over a listed group', async () => {
    const admin = await registered();
    const other = await registered();
    const state = discoverableGroup(admin, 'Palliative care network', [other]);
    const listing = signGroupListing(actorOf(admin), state, Date.now());
    // Someone else uploading the admin's genuine listing: signed for another account than the connection's.
    expect(await rejectedCode(other.client.publishGroupListing(listing))).toBe('IDENTITY_MISMATCH');
    const { body, signature } = decodeSigned(listing, 'listing');
    const tampered = body.slice();
    tampered[tampered.length - 300]! ^= 1;
    expect(await rejectedCode(admin.client.publishGroupListing(encodeCbor({ b: tampered, s: signature })))).toMatch(/BAD_SIGNATURE|MALFORMED|BAD_CERTIFICATE/);
    await admin.client.publishGroupListing(listing);
    // A member's own, validly signed listing for the same group: the relay holds the admin's and refuses.
    const squat = signGroupListing(actorOf(other), { ...state, members: [groupMember(other.account.identity.identity.publicKey, 'admin')] }, Date.now());
    expect(await rejectedCode(other.client.publishGroupListing(squat))).toBe('NOT_ALLOWED');
    // An identity key other than the pinned one (a second identity claiming the account id fails the listing's own check).
    const impostor = { ...actorOf(admin), identityKey: other.account.identity.identity.publicKey };
    expect(await rejectedCode(admin.client.publishGroupListing(signGroupListing(impostor, state, Date.now())))).toBe('IDENTITY_MISMATCH');
    expect(await rejectedCode(async () => { const c = await openClient(relay.url); clients.push(c); await c.publishGroupListing(listing); })).toBe('UNAUTHENTICATED');
  }, 60_000);

  it('holds a bounded number of listings per account', async () => {
    const admin = await registered();
    const t = Date.now();
    for (let i = 0; i < GROUP_LISTINGS_MAX_PER_ACCOUNT; i++) {
      await admin.client.publishGroupListing(signGroupListing(actorOf(admin), discoverableGroup(admin, `Group ${i}`), t));
    }
    expect(await rejectedCode(admin.client.publishGroupListing(signGroupListing(actorOf(admin), discoverableGroup(admin, 'One too many'), t)))).toBe('QUOTA_EXCEEDED');
  }, 60_000);

  it('withdraws a listing, and ignores an older one', async () => {
    const admin = await registered();
    await verified(admin, 'Dr. Admin');
    const state = discoverableGroup(admin, 'Wound care Limburg');
    const t = Date.now();
    await admin.client.publishGroupListing(signGroupListing(actorOf(admin), state, t));
    expect(await admin.client.searchGroups('wound limburg')).toHaveLength(1);
    await admin.client.publishGroupListing(signGroupListing(actorOf(admin), { ...state, discoverable: false }, t + 2));
    expect(await admin.client.searchGroups('wound limburg')).toHaveLength(0);
    // The withdrawal is remembered: the old listing replayed does not list the group again.
    await admin.client.publishGroupListing(signGroupListing(actorOf(admin), state, t));
    expect(await admin.client.searchGroups('wound limburg')).toHaveLength(0);
    await admin.client.publishGroupListing(signGroupListing(actorOf(admin), state, t + 4));
    await admin.client.publishGroupListing(signGroupListing(actorOf(admin), { ...state, name: 'Wound care Limburg (new)' }, t + 3));
    const hits = await admin.client.searchGroups('wound limburg');
    expect(hits.map((b) => verifyGroupListing(b).name)).toEqual(['Wound care Limburg']);
  }, 60_000);
});

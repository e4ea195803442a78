import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../shared/clock';
import { newMessageId } from '../../../shared/messages/message-id';
import { accountIdFromIdentityKey, type AccountId } from '../../../shared/protocol/ids';
import { openAccountStore, type AccountStore } from '../store/account-store';
import { ContentApplier } from './content-applier';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function account(): { id: AccountId; key: Uint8Array } {
  const key = new Uint8Array(randomBytes(32));
  return { id: accountIdFromIdentityKey(key), key };
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'wardline-applier-'));
  const me = account();
  const peer = account();
  const stranger = account();
  const clock = new FakeClock();
  const store: AccountStore = openAccountStore({ dataDir: dir, accountId: me.id, key: new Uint8Array(randomBytes(32)), clock });
  cleanups.push(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const keys = new Map([peer, stranger].map((a) => [a.id, a.key]));
  const seen = { added: [] as string[], updated: [] as string[], delivered: [] as string[], changed: 0, profile: '' };
  const applier = new ContentApplier(store, me.id, (a) => keys.get(a), {
    messageAdded: (id) => seen.added.push(id),
    messagesUpdated: (ids) => seen.updated.push(...ids),
    conversationsChanged: () => seen.changed++,
    delivered: (_p, id) => seen.delivered.push(id),
    ownProfile: (name) => (seen.profile = name),
  });
  return { store, me, peer, stranger, applier, seen };
}

describe('ContentApplier', () => {
  it('stores an incoming text once, in the conversation with its sender, and asks for a delivery receipt', () => {
    const { store, me, peer, applier, seen } = setup();
    const id = newMessageId();
    const text = { kind: 'text' as const, id, to: me.id, body: 'bed 12 needs review', sentAt: 1000 };
    applier.apply(text, { accountId: peer.id, deviceId: 'd'.repeat(32) });
    applier.apply(text, { accountId: peer.id, deviceId: 'd'.repeat(32) });
    const stored = store.messages.get(id)!;
    expect(stored).toMatchObject({ direction: 'in', state: 'delivered', senderAccountId: peer.id, body: 'bed 12 needs review' });
    expect(store.conversations.get(stored.conversationId)?.peerAccountId).toBe(peer.id);
    expect(seen.added).toEqual([id]);
    expect(seen.delivered).toEqual([id]);
    expect(store.contacts.get(peer.id)?.displayName).toMatch(/^Wardline /);
  });

  it('files a copy of our own message (sent from the phone) as outgoing in the conversation with its recipient', () => {
    const { store, me, peer, applier, seen } = setup();
    const id = newMessageId();
    applier.apply({ kind: 'text', id, to: peer.id, body: 'on my way', sentAt: 2000 }, { accountId: me.id, deviceId: 'p'.repeat(32) });
    const stored = store.messages.get(id)!;
    expect(stored).toMatchObject({ direction: 'out', state: 'sent', senderAccountId: me.id });
    expect(store.conversations.get(stored.conversationId)?.peerAccountId).toBe(peer.id);
    expect(seen.delivered).toEqual([]);
    // A copy "to ourselves" makes no conversation.
    applier.apply({ kind: 'text', id: newMessageId(), to: me.id, body: 'x', sentAt: 1 }, { accountId: me.id, deviceId: 'p'.repeat(32) });
    expect(store.conversations.list()).toHaveLength(1);
  });

  it('moves our outgoing states only on receipts from the conversation peer', () => {
    const { store, me, peer, stranger, applier, seen } = setup();
    const conversation = store.conversations.ensureDirect(peer.id);
    const id = newMessageId();
    store.messages.insert({ id, conversationId: conversation.id, senderAccountId: me.id, direction: 'out', body: 'hi', sentAt: 1, state: 'sent' });
    applier.apply({ kind: 'receipt', to: me.id, receipt: 'read', ids: [id] }, { accountId: stranger.id, deviceId: 's'.repeat(32) });
    expect(store.messages.get(id)?.state).toBe('sent');
    applier.apply({ kind: 'receipt', to: me.id, receipt: 'delivered', ids: [id] }, { accountId: peer.id, deviceId: 'd'.repeat(32) });
    applier.apply({ kind: 'receipt', to: me.id, receipt: 'read', ids: [id] }, { accountId: peer.id, deviceId: 'd'.repeat(32) });
    applier.apply({ kind: 'receipt', to: me.id, receipt: 'delivered', ids: [id] }, { accountId: peer.id, deviceId: 'd'.repeat(32) });
    expect(store.messages.get(id)?.state).toBe('read');
    expect(seen.updated).toEqual([id, id]);
  });

  it('syncs read state from our own other device, but only for incoming messages of that conversation', () => {
    const { store, me, peer, applier } = setup();
    const conversation = store.conversations.ensureDirect(peer.id);
    const inId = newMessageId();
    const outId = newMessageId();
    store.messages.insert({ id: inId, conversationId: conversation.id, senderAccountId: peer.id, direction: 'in', body: 'a', sentAt: 1, state: 'delivered' });
    store.messages.insert({ id: outId, conversationId: conversation.id, senderAccountId: me.id, direction: 'out', body: 'b', sentAt: 2, state: 'sent' });
    applier.apply({ kind: 'receipt', to: peer.id, receipt: 'read', ids: [inId, outId] }, { accountId: me.id, deviceId: 'p'.repeat(32) });
    expect(store.messages.get(inId)?.state).toBe('read');
    expect(store.messages.get(outId)?.state).toBe('sent');
  });

  it('hands group messages to the group hook and never files them in a 1:1 conversation', () => {
    const { store, me, peer, applier, seen } = setup();
    const groupId = 'a'.repeat(32) as never;
    applier.apply({ kind: 'text', id: newMessageId(), to: me.id, body: 'to the whole ward', sentAt: 1, groupId }, { accountId: peer.id, deviceId: 'd'.repeat(32) });
    expect(store.conversations.list()).toEqual([]);
    expect(seen.added).toEqual([]);
    expect(seen.delivered).toEqual([]);
  });

  it('takes profiles: contacts get names, our own profile goes to the app state', () => {
    const { store, me, peer, applier, seen } = setup();
    applier.apply({ kind: 'profile', profile: { displayName: 'Dr. Peer', profession: 'Cardiology' } }, { accountId: peer.id, deviceId: 'd'.repeat(32) });
    expect(store.contacts.get(peer.id)).toMatchObject({ displayName: 'Dr. Peer', profession: 'Cardiology' });
    applier.apply({ kind: 'profile', profile: { displayName: 'Me', profession: '' } }, { accountId: me.id, deviceId: 'p'.repeat(32) });
    expect(seen.profile).toBe('Me');
  });
});

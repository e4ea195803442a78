import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../shared/clock';
import type { AccountId } from '../../../../shared/protocol/ids';
import { openAccountStore, openStoreDatabase } from '../account-store';
import { migrate, schemaVersion } from './migrate';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('migration 5 (groups)', () => {
  it('4 → 5 keeps 1:1 conversations and messages; the old rows read as direct chats', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wardline-migrate-5-'));
    dirs.push(dataDir);
    const options = { dataDir, accountId: randomBytes(16).toString('hex') as AccountId, key: new Uint8Array(randomBytes(32)) };
    const { db } = openStoreDatabase(options);
    migrate(db, 4);
    db.prepare(`INSERT INTO conversations (id, kind, peer_account_id, created_at, last_activity_at) VALUES ('c1', 'direct', 'peer', 1, 5)`).run();
    db.prepare(`INSERT INTO messages (id, conversation_id, sender_account_id, direction, body, sent_at, state, expires_at) VALUES ('m1', 'c1', 'peer', 'in', 'Potassium 6.1', 2, 'delivered', 99)`).run();
    expect(migrate(db, 5)).toEqual([5]);
    expect(schemaVersion(db)).toBe(5);
    // A group row must point at an existing conversation.
    expect(() => db.prepare(`INSERT INTO groups (group_id, conversation_id, kind, version, name, state_hash, updated_at) VALUES ('g', 'nope', 'group', 1, 'x', x'00', 1)`).run()).toThrow(/FOREIGN KEY/);
    db.close();
    const store = openAccountStore({ ...options, clock: new FakeClock() });
    expect(store.conversations.get('c1')).toMatchObject({ kind: 'direct', peerAccountId: 'peer' });
    expect(store.messages.get('m1')?.body).toBe('Potassium 6.1');
    expect(store.groups.list()).toEqual([]);
    store.close();
  });
});

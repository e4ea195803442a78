/**
 * Group memberships travel in the backup (docs/protocol.md §16): a restored phone holds the same
 * group states and can post into the group at once; a group change makes a backup due.
 * Through a real relay process, with cheap KDF parameters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../../server/testing/relay-process';
import { TEST_KDF_PARAMS } from '../shared/backup/test-kdf';
import { findMember } from '../shared/groups/group-state';
import { CompanionPhone } from './companion-phone';

const WAIT = 15_000;
let relay: RelayProcess;
let dir: string;
const open: CompanionPhone[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wardline-backup-groups-'));
  relay = await spawnRelay();
}, 60_000);
afterAll(async () => {
  for (const p of open) await p.close();
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function phone(name: string): Promise<CompanionPhone> {
  const p = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: name, profession: 'GP' }, backupKdf: TEST_KDF_PARAMS, dataDir: join(dir, name) });
  open.push(p);
  return p;
}

describe('group memberships in the backup', () => {
  it('restores the groups on the new phone, which can post into them', async () => {
    const alice = await phone('alice');
    const bob = await phone('bob');
    const atBob = bob.groups.waitForEvent((e) => e.type === 'changed', WAIT);
    const group = await alice.groups.create({ kind: 'group', name: 'Ward 4 night team', members: [bob.accountId] });
    await atBob;
    expect(alice.groups.get(group.groupId)).toBeDefined();
    await alice.backUp();
    expect(await alice.backUpIfDue()).toBeNull();
    // A group change is a backup change.
    const renamedAtBob = bob.groups.waitForEvent((e) => e.type === 'changed' && e.state.name === 'Ward 4 nights', WAIT);
    await alice.groups.rename(group.groupId, 'Ward 4 nights');
    await renamedAtBob;
    const latest = alice.groups.get(group.groupId)!;
    expect(await alice.backUpIfDue()).not.toBeNull();

    const restored = await CompanionPhone.restore({
      relayUrl: relay.url,
      accountId: alice.accountId,
      code: alice.backupCode,
      dataDir: join(dir, 'alice-new'),
      backupKdf: TEST_KDF_PARAMS,
      minimumKdf: TEST_KDF_PARAMS,
    });
    open.push(restored);
    const back = restored.groups.get(group.groupId);
    expect(back?.hash).toEqual(latest.hash);
    expect(back?.version).toBe(latest.version);
    expect(back?.name).toBe('Ward 4 nights');
    expect(findMember(back!, alice.accountId)?.role).toBe('admin');

    const atBobAgain = bob.groups.waitForEvent((e) => e.type === 'message' && e.groupId === group.groupId && e.content.kind === 'text' && e.content.body === 'Back on a new phone', WAIT);
    await restored.groups.sendText(group.groupId, 'Back on a new phone');
    expect(await atBobAgain).toMatchObject({ type: 'message', from: alice.accountId });

    // It survives a reopen of the restored phone's data directory.
    await restored.close();
    open.splice(open.indexOf(restored), 1);
    const reopened = await CompanionPhone.open({ dataDir: join(dir, 'alice-new'), relayUrl: relay.url });
    open.push(reopened);
    expect(reopened.groups.get(group.groupId)?.hash).toEqual(latest.hash);
  }, 60_000);
});

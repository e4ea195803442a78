import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAccountBackup } from '../shared/backup/account-backup';
import { decodeBackupHeader } from '../shared/backup/backup-archive';
import { deriveBackupKeys } from '../shared/backup/backup-kdf';
import { TEST_KDF_PARAMS } from '../shared/backup/test-kdf';
import { FakeClock } from '../shared/clock';
import { BACKUP_INTERVAL_MS, HOUR_MS } from '../shared/limits';
import { newMessageId } from '../shared/messages/message-id';
import type { RelayClient } from '../shared/wire/relay-client';
import { BACKUP_STATE_FILE, loadBackupState } from './backup-state';
import { accountOf, createPhoneState } from './phone-account';
import { PhoneBackup } from './phone-backup';
import type { PhoneState } from './phone-state';

/** Records what a phone uploads, answering like the relay does. */
function fakeRelay() {
  const uploads: { header: Uint8Array; chunks: Uint8Array[] }[] = [];
  const client = {
    putBackupChunk(header: Uint8Array, _verifier: Uint8Array, index: number, chunk: Uint8Array): Promise<'staged' | 'stored'> {
      const count = decodeBackupHeader(header).chunkCount;
      if (index === 0) uploads.push({ header, chunks: [] });
      uploads.at(-1)!.chunks.push(chunk);
      return Promise.resolve(index === count - 1 ? 'stored' : 'staged');
    },
  };
  return { uploads, client: client as unknown as RelayClient };
}

function phoneWithHistory(clock: FakeClock): PhoneState {
  const state = createPhoneState('ws://127.0.0.1:1', { displayName: 'Dr A', profession: '' }, clock);
  const me = accountOf(state).accountId;
  for (const body of ['first', 'second', 'third']) state.history.push({ id: newMessageId(), conversation: me, from: me, body, sentAt: clock.now() });
  return state;
}

describe('phone backup', () => {
  it('generates a code once and keeps it in a private file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wardline-phone-backup-'));
    const clock = new FakeClock();
    const backup = PhoneBackup.openOrCreate(dir, clock, TEST_KDF_PARAMS);
    expect(PhoneBackup.openOrCreate(dir, clock, TEST_KDF_PARAMS).code).toBe(backup.code);
    expect(loadBackupState(dir)?.code).toBe(backup.code);
    expect(statSync(join(dir, BACKUP_STATE_FILE)).mode & 0o777).toBe(0o600);
  });

  it('backs up only kept messages', async () => {
    const clock = new FakeClock();
    const state = phoneWithHistory(clock);
    const backup = PhoneBackup.openOrCreate(undefined, clock, TEST_KDF_PARAMS);
    backup.keep(state.history[1]!.id);
    const relay = fakeRelay();
    await backup.upload(relay.client, state);
    const sealed = relay.uploads[0]!;
    const header = decodeBackupHeader(sealed.header);
    const snapshot = openAccountBackup(sealed, await deriveBackupKeys(backup.code, header.salt, header.kdf), accountOf(state).accountId);
    expect(snapshot.messages.map((m) => m.body)).toEqual(['second']);
    expect(snapshot.identitySecret).toEqual(state.identitySecret);
  });

  it('uploads when never uploaded, on change, and at least daily — not otherwise', async () => {
    const clock = new FakeClock();
    const state = phoneWithHistory(clock);
    const backup = PhoneBackup.openOrCreate(undefined, clock, TEST_KDF_PARAMS);
    const relay = fakeRelay();
    expect(await backup.uploadIfDue(relay.client, state)).not.toBeNull();
    clock.advance(HOUR_MS);
    expect(await backup.uploadIfDue(relay.client, state)).toBeNull();
    backup.keep(state.history[0]!.id);
    expect(backup.isDue(state)).toBe(true);
    await backup.uploadIfDue(relay.client, state);
    state.contacts['x'] = { displayName: 'New contact', profession: '' };
    expect(backup.isDue(state)).toBe(true);
    await backup.uploadIfDue(relay.client, state);
    clock.advance(BACKUP_INTERVAL_MS - 1);
    expect(backup.isDue(state)).toBe(false);
    clock.advance(1);
    expect(backup.isDue(state)).toBe(true);
    expect(relay.uploads).toHaveLength(3);
  });

  it('rotating the code makes a backup due under the new code', async () => {
    const clock = new FakeClock();
    const state = phoneWithHistory(clock);
    const backup = PhoneBackup.openOrCreate(undefined, clock, TEST_KDF_PARAMS);
    const relay = fakeRelay();
    await backup.upload(relay.client, state);
    const old = backup.code;
    expect(backup.rotateCode()).not.toBe(old);
    expect(backup.isDue(state)).toBe(true);
    await backup.upload(relay.client, state);
    const latest = relay.uploads.at(-1)!;
    const h = decodeBackupHeader(latest.header);
    await expect(deriveBackupKeys(old, h.salt, h.kdf).then((k) => openAccountBackup(latest, k, accountOf(state).accountId))).rejects.toMatchObject({ code: 'BAD_BACKUP' });
  });
});

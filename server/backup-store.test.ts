import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeAccountBackup, type MadeBackup } from '../src/shared/backup/account-backup';
import { deriveBackupKeys, type BackupKeys } from '../src/shared/backup/backup-kdf';
import { decodeBackupHeader } from '../src/shared/backup/backup-archive';
import type { BackupSnapshot } from '../src/shared/backup/backup-snapshot';
import { generateRecoveryCode, type RecoveryCode } from '../src/shared/backup/recovery-code';
import { signRestoreProof } from '../src/shared/backup/restore-proof';
import { TEST_KDF_PARAMS } from '../src/shared/backup/test-kdf';
import { FakeClock } from '../src/shared/clock';
import { isWardlineError } from '../src/shared/errors';
import { BACKUP_LOCKOUT_FAILURES, BACKUP_LOCKOUT_MS, BACKUP_RESTORE_ATTEMPTS_PER_HOUR, BACKUP_RETENTION_MS, DAY_MS, HOUR_MS } from '../src/shared/limits';
import { createAccountIdentity } from '../src/shared/protocol/identity';
import { BackupStore } from './backup-store';
import type { Peer } from './peer';

const peer = (): Peer => ({ id: 1, address: '127.0.0.1', bufferedAmount: 0, isOpen: true, send: () => undefined, sendEncoded: () => undefined, close: () => undefined });

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isWardlineError(e) ? e.code : 'OTHER';
  }
  return undefined;
}

const stores: BackupStore[] = [];
afterEach(() => stores.splice(0).forEach((s) => s.close()));

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'wardline-backup-store-'));
  const clock = new FakeClock();
  const store = new BackupStore(dir, clock);
  stores.push(store);
  const account = createAccountIdentity();
  const snapshot: BackupSnapshot = {
    accountId: account.accountId,
    identitySecret: account.identity.secretKey.bytes,
    profile: { displayName: 'Dr A', profession: '' },
    contacts: {},
    knownAccounts: {},
    groups: [],
    attestations: [],
    messages: [],
  };
  const code = generateRecoveryCode();
  const made = await makeAccountBackup(snapshot, code, clock.now(), TEST_KDF_PARAMS);
  const upload = (m: MadeBackup) => m.sealed.chunks.map((c, i) => store.put(account.accountId, m.sealed.header, m.verifierKey, i, c));
  const keysFor = async (c: RecoveryCode): Promise<BackupKeys> => {
    const h = decodeBackupHeader(made.sealed.header);
    return deriveBackupKeys(c, h.salt, h.kdf);
  };
  return { dir, clock, store, account, snapshot, code, made, upload, keysFor };
}

describe('relay backup store', () => {
  it('stores a complete upload, then hands chunks out only after a valid proof', async () => {
    const { store, account, made, upload, keysFor, code } = await setup();
    expect(upload(made).at(-1)).toBe('stored');
    const p = peer();
    expect(codeOf(() => store.chunk(p, account.accountId, 0))).toBe('UNAUTHENTICATED');
    const { header, nonce } = store.challenge(p, account.accountId);
    expect(Uint8Array.from(header)).toEqual(Uint8Array.from(made.sealed.header));
    const sig = signRestoreProof(await keysFor(code), account.accountId, nonce, header);
    expect(store.prove(p, account.accountId, sig)).toBe(made.sealed.chunks.length);
    expect(Uint8Array.from(store.chunk(p, account.accountId, 0))).toEqual(Uint8Array.from(made.sealed.chunks[0]!));
    // Another connection has no grant, and a proof cannot be replayed without a fresh challenge.
    expect(codeOf(() => store.chunk(peer(), account.accountId, 0))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => store.prove(peer(), account.accountId, sig))).toBe('NO_CHALLENGE');
  });

  it('refuses a wrong code, rate-limits attempts per hour and locks out after too many', async () => {
    const { store, account, made, upload, keysFor, clock, code } = await setup();
    upload(made);
    const wrong = await keysFor(generateRecoveryCode());
    const attempt = (keys: BackupKeys) => {
      const p = peer();
      const { header, nonce } = store.challenge(p, account.accountId);
      return codeOf(() => store.prove(p, account.accountId, signRestoreProof(keys, account.accountId, nonce, header)));
    };
    for (let i = 0; i < BACKUP_RESTORE_ATTEMPTS_PER_HOUR; i++) expect(attempt(wrong)).toBe('WRONG_CODE');
    expect(attempt(wrong)).toBe('RATE_LIMITED');
    expect(attempt(await keysFor(code))).toBe('RATE_LIMITED'); // even the right code waits for the window
    let failures = BACKUP_RESTORE_ATTEMPTS_PER_HOUR;
    while (failures < BACKUP_LOCKOUT_FAILURES) {
      clock.advance(HOUR_MS);
      for (let i = 0; i < BACKUP_RESTORE_ATTEMPTS_PER_HOUR && failures < BACKUP_LOCKOUT_FAILURES; i++, failures++) expect(attempt(wrong)).toBe('WRONG_CODE');
    }
    clock.advance(HOUR_MS);
    expect(codeOf(() => store.challenge(peer(), account.accountId))).toBe('LOCKED_OUT');
    clock.advance(BACKUP_LOCKOUT_MS - HOUR_MS);
    expect(attempt(await keysFor(code))).toBeUndefined();
  });

  it('keeps counting across a relay restart', async () => {
    const { dir, clock, store, account, made, upload, keysFor } = await setup();
    upload(made);
    const wrong = await keysFor(generateRecoveryCode());
    for (let i = 0; i < BACKUP_RESTORE_ATTEMPTS_PER_HOUR; i++) {
      const p = peer();
      const { header, nonce } = store.challenge(p, account.accountId);
      codeOf(() => store.prove(p, account.accountId, signRestoreProof(wrong, account.accountId, nonce, header)));
    }
    const again = new BackupStore(dir, clock);
    stores.push(again);
    const p = peer();
    const { header, nonce } = again.challenge(p, account.accountId);
    expect(codeOf(() => again.prove(p, account.accountId, signRestoreProof(wrong, account.accountId, nonce, header)))).toBe('RATE_LIMITED');
  });

  it('replaces the backup on a new upload and expires one not renewed for 30 days', async () => {
    const { store, account, made, upload, clock, snapshot, code } = await setup();
    upload(made);
    clock.advance(DAY_MS);
    const newer = await makeAccountBackup(snapshot, code, clock.now(), TEST_KDF_PARAMS);
    // Half an upload leaves the previous backup in place.
    expect(store.put(account.accountId, newer.sealed.header, newer.verifierKey, 0, newer.sealed.chunks[0]!)).toBe(newer.sealed.chunks.length > 1 ? 'staged' : 'stored');
    upload(newer);
    expect(Uint8Array.from(store.challenge(peer(), account.accountId).header)).toEqual(Uint8Array.from(newer.sealed.header));
    clock.advance(BACKUP_RETENTION_MS - 1);
    expect(store.storedAt(account.accountId)).not.toBeNull();
    clock.advance(1);
    store.sweep();
    expect(codeOf(() => store.challenge(peer(), account.accountId))).toBe('NO_BACKUP');
  });

  it('refuses uploads whose header is garbage, for another account, or out of range', async () => {
    const { store, account, made } = await setup();
    const other = createAccountIdentity();
    const { header, chunks } = made.sealed;
    expect(codeOf(() => store.put(account.accountId, new Uint8Array([0xa0]), made.verifierKey, 0, chunks[0]!))).toBe('MALFORMED');
    expect(codeOf(() => store.put(other.accountId, header, made.verifierKey, 0, chunks[0]!))).toBe('MALFORMED');
    expect(codeOf(() => store.put(account.accountId, header, made.verifierKey, chunks.length, chunks[0]!))).toBe('MALFORMED');
    expect(codeOf(() => store.challenge(peer(), other.accountId))).toBe('NO_BACKUP');
  });

  it('holds no plaintext on disk', async () => {
    const { dir, store, account, upload, snapshot, code, clock } = await setup();
    const marked = await makeAccountBackup({ ...snapshot, profile: { displayName: 'MARKER-PLAINTEXT-77', profession: '' } }, code, clock.now(), TEST_KDF_PARAMS);
    upload(marked);
    store.close();
    stores.splice(stores.indexOf(store), 1);
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).toString('latin1')).not.toContain('MARKER-PLAINTEXT-77');
    expect(account.accountId).toBeTruthy();
  });
});

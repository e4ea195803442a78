import { describe, expect, it } from 'vitest';
import { isWardlineError } from '../errors';
import type { MessageId } from '../messages/message-id';
import { createAccountIdentity } from '../protocol/identity';
import { openAccountBackup, makeAccountBackup } from './account-backup';
import { decodeBackupHeader, encodeBackupHeader, type SealedBackup } from './backup-archive';
import { BACKUP_KDF_MINIMUM, BACKUP_KDF_PARAMS, deriveBackupKeys, requireKdfStrength } from './backup-kdf';
import type { BackupSnapshot } from './backup-snapshot';
import { generateRecoveryCode } from './recovery-code';
import { signRestoreProof, verifyRestoreProof } from './restore-proof';
import { TEST_KDF_PARAMS } from './test-kdf';
import { BACKUP_CHUNK_BYTES } from '../limits';

function snapshotFor(marker = 'kept message'): BackupSnapshot {
  const account = createAccountIdentity();
  return {
    accountId: account.accountId,
    identitySecret: account.identity.secretKey.bytes,
    profile: { displayName: 'Dr A', profession: 'Nurse' },
    contacts: {},
    knownAccounts: {},
    groups: [],
    attestations: [],
    messages: [{ id: 'a'.repeat(32) as MessageId, conversation: account.accountId, from: account.accountId, body: marker, sentAt: 1 }],
  };
}

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return isWardlineError(e) ? e.code : 'OTHER';
  }
  return undefined;
}

async function open(sealed: SealedBackup, code: ReturnType<typeof generateRecoveryCode>, snapshot: BackupSnapshot) {
  const header = decodeBackupHeader(sealed.header);
  const keys = await deriveBackupKeys(code, header.salt, header.kdf);
  return openAccountBackup(sealed, keys, snapshot.accountId);
}

describe('account backup', () => {
  it('uses the documented production KDF parameters by default', () => {
    expect(BACKUP_KDF_PARAMS).toEqual({ alg: 'argon2id', m: 65536, t: 3, p: 1 });
    expect(BACKUP_KDF_MINIMUM).toEqual(BACKUP_KDF_PARAMS);
    expect(makeAccountBackup.length).toBe(3); // the parameters argument is optional and defaults to the above
  });

  it('round-trips a snapshot with the right code', async () => {
    const snapshot = snapshotFor();
    const code = generateRecoveryCode();
    const made = await makeAccountBackup(snapshot, code, 1234, TEST_KDF_PARAMS);
    const header = decodeBackupHeader(made.sealed.header);
    expect(header.createdAt).toBe(1234);
    expect(header.kdf).toEqual(TEST_KDF_PARAMS);
    const restored = await open(made.sealed, code, snapshot);
    expect(restored.accountId).toBe(snapshot.accountId);
    expect(restored.messages[0]?.body).toBe('kept message');
    expect(restored.identitySecret).toEqual(snapshot.identitySecret);
  });

  it('never carries the plaintext or the code in what the relay stores', async () => {
    const snapshot = snapshotFor('PLANTED-MARKER-123');
    const code = generateRecoveryCode();
    const made = await makeAccountBackup(snapshot, code, 1, TEST_KDF_PARAMS);
    const stored = Buffer.concat([made.sealed.header, ...made.sealed.chunks, made.verifierKey]).toString('latin1');
    expect(stored).not.toContain('PLANTED-MARKER-123');
    expect(stored).not.toContain(code);
  });

  it('refuses a wrong code', async () => {
    const snapshot = snapshotFor();
    const made = await makeAccountBackup(snapshot, generateRecoveryCode(), 1, TEST_KDF_PARAMS);
    expect(await rejection(open(made.sealed, generateRecoveryCode(), snapshot))).toBe('BAD_BACKUP');
  });

  it('refuses tampered, truncated, reordered and swapped backups', async () => {
    const snapshot = { ...snapshotFor(), messages: Array.from({ length: 3 }, (_, i) => ({ ...snapshotFor().messages[0]!, body: 'x'.repeat(BACKUP_CHUNK_BYTES), sentAt: i })) };
    const code = generateRecoveryCode();
    const made = await makeAccountBackup(snapshot, code, 1, TEST_KDF_PARAMS);
    const other = await makeAccountBackup(snapshot, code, 2, TEST_KDF_PARAMS);
    const { header, chunks } = made.sealed;
    expect(chunks.length).toBeGreaterThan(2);
    const flipped = chunks.map((c, i) => (i === 1 ? c.map((b, j) => (j === 5 ? b ^ 1 : b)) : c));
    expect(await rejection(open({ header, chunks: flipped }, code, snapshot))).toBe('BAD_BACKUP');
    expect(await rejection(open({ header, chunks: chunks.slice(0, -1) }, code, snapshot))).toBe('BAD_BACKUP');
    expect(await rejection(open({ header, chunks: [chunks[1]!, chunks[0]!, ...chunks.slice(2)] }, code, snapshot))).toBe('BAD_BACKUP');
    // A chunk of another backup of the same account and code (other salt) does not authenticate.
    expect(await rejection(open({ header, chunks: [other.sealed.chunks[0]!, ...chunks.slice(1)] }, code, snapshot))).toBe('BAD_BACKUP');
    // Nor does a header changed to claim another date or fewer chunks.
    const h = decodeBackupHeader(header);
    const forged = encodeBackupHeader({ ...h, createdAt: h.createdAt + 1 });
    expect(await rejection(open({ header: forged, chunks }, code, snapshot))).toBe('BAD_BACKUP');
    expect(await rejection(open({ header: new Uint8Array([1, 2, 3]), chunks }, code, snapshot))).toBe('MALFORMED');
  });

  it('refuses a backup of another account even when it decrypts', async () => {
    const code = generateRecoveryCode();
    const mine = snapshotFor();
    const theirs = await makeAccountBackup(snapshotFor(), code, 1, TEST_KDF_PARAMS);
    expect(await rejection(open(theirs.sealed, code, mine))).toBe('ACCOUNT_MISMATCH');
  });

  it('refuses KDF parameters below the documented minimum', async () => {
    expect(await rejection(() => requireKdfStrength(TEST_KDF_PARAMS))).toBe('WEAK_KDF');
    expect(await rejection(() => requireKdfStrength({ ...BACKUP_KDF_PARAMS, t: 2 }))).toBe('WEAK_KDF');
    expect(await rejection(() => requireKdfStrength(BACKUP_KDF_PARAMS))).toBeUndefined();
  });

  it('proves knowledge of the code by a challenge signature bound to the header', async () => {
    const snapshot = snapshotFor();
    const code = generateRecoveryCode();
    const made = await makeAccountBackup(snapshot, code, 1, TEST_KDF_PARAMS);
    const header = decodeBackupHeader(made.sealed.header);
    const challenge = new Uint8Array(32).fill(7);
    const right = await deriveBackupKeys(code, header.salt, header.kdf);
    const wrong = await deriveBackupKeys(generateRecoveryCode(), header.salt, header.kdf);
    const sig = signRestoreProof(right, snapshot.accountId, challenge, made.sealed.header);
    expect(verifyRestoreProof(made.verifierKey, sig, snapshot.accountId, challenge, made.sealed.header)).toBe(true);
    expect(verifyRestoreProof(made.verifierKey, sig, snapshot.accountId, new Uint8Array(32), made.sealed.header)).toBe(false);
    const wrongSig = signRestoreProof(wrong, snapshot.accountId, challenge, made.sealed.header);
    expect(verifyRestoreProof(made.verifierKey, wrongSig, snapshot.accountId, challenge, made.sealed.header)).toBe(false);
  });
});

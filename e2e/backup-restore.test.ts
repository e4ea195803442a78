/**
 * Backup & Restore through a real relay process, with the production KDF parameters: back up,
 * restore on a fresh phone with the code, wrong and mistyped codes, the attempt limit, a tampered
 * and a swapped blob at the relay, and no plaintext in the relay's data directory.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3-multiple-ciphers';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError } from '../src/shared/backup/backup-error';
import { formatRecoveryCode, generateRecoveryCode, parseRecoveryCode } from '../src/shared/backup/recovery-code';
import { BACKUP_RESTORE_ATTEMPTS_PER_HOUR } from '../src/shared/limits';
import { verifyDeviceList } from '../src/shared/protocol/device-list';
import { RelayClient } from '../src/shared/wire/relay-client';
import { CompanionPhone } from '../src/phone/companion-phone';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import { rejectedCode } from '../src/shared/testing/error-code';

const KEPT = 'KEPT-MARKER-7f3a9c ward 4 bed 12';
const UNKEPT = 'UNKEPT-MARKER-c41d2e';
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const connect = (url: string) => RelayClient.connect({ url, connect: (u) => new WebSocket(u, { perMessageDeflate: false }) });

const codeOf = rejectedCode;

let relay: RelayProcess;
const phones: CompanionPhone[] = [];
beforeAll(async () => {
  relay = await spawnRelay();
});
afterAll(async () => {
  for (const p of phones) await p.close().catch(() => undefined);
  await relay.stop();
});

async function phone(name: string): Promise<CompanionPhone> {
  const p = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: name, profession: 'Nurse' }, dataDir: tmp('wardline-phone-') });
  phones.push(p);
  return p;
}

describe('backup and restore (real relay, production KDF)', () => {
  it('restores identity, contacts and kept messages on a new phone; drops the old devices; keeps no plaintext at the relay', async () => {
    const alice = await phone('Dr Alice');
    const bob = await phone('Dr Bob');
    const keptId = await alice.sendText(bob.accountId, KEPT);
    await bob.waitForMessage((m) => m.content.kind === 'text' && m.content.id === keptId, 10_000);
    await bob.sendText(alice.accountId, UNKEPT);
    await alice.waitForMessage((m) => m.content.kind === 'text' && m.content.body === UNKEPT, 10_000);
    alice.keepMessage(keptId);
    expect(formatRecoveryCode(alice.backupCode)).toMatch(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/);
    const upload = await alice.backUp();
    expect(upload.chunks).toBe(1);
    expect(await alice.backUpIfDue()).toBeNull();

    const typed = formatRecoveryCode(alice.backupCode).toLowerCase();
    const restored = await CompanionPhone.restore({ relayUrl: relay.url, accountId: alice.accountId, code: parseRecoveryCode(typed), dataDir: tmp('wardline-restored-') });
    phones.push(restored);
    expect(restored.accountId).toBe(alice.accountId);
    expect(restored.deviceId).not.toBe(alice.deviceId);
    expect(restored.backupCode).toBe(alice.backupCode);
    expect(restored.backupCreatedAt).toBe(upload.createdAt);
    expect(restored.profile.displayName).toBe('Dr Alice');
    expect(restored.history.map((m) => m.body)).toEqual([KEPT]);
    expect(restored.keptMessageIds).toEqual([keptId]);

    // The new list holds only the new phone; the old phone is revoked.
    expect(restored.ownDeviceList.devices.map((d) => d.deviceId)).toEqual([restored.deviceId]);
    const probe = await connect(relay.url);
    const list = verifyDeviceList((await probe.getDeviceList(alice.accountId))!);
    probe.close();
    expect(list.devices.map((d) => d.deviceId)).toEqual([restored.deviceId]);
    expect(await codeOf(CompanionPhone.open({ dataDir: tmp('x-'), relayUrl: relay.url }))).toBe('NO_ACCOUNT');

    // Contacts reach the restored phone.
    await bob.sendText(alice.accountId, 'after restore');
    const got = await restored.waitForMessage((m) => m.content.kind === 'text' && m.content.body === 'after restore', 15_000);
    expect(got.from).toBe(bob.accountId);

    for (const f of readdirSync(relay.dataDir, { recursive: true, withFileTypes: true })) {
      if (!f.isFile()) continue;
      const text = readFileSync(join(f.parentPath, f.name)).toString('latin1');
      expect(text).not.toContain('KEPT-MARKER-7f3a9c');
      expect(text).not.toContain(alice.backupCode);
    }
  }, 120_000);

  it('refuses a wrong or rotated-away code at the relay (counted) and a mistyped one before any network call', async () => {
    const carol = await phone('Dr Carol');
    await carol.backUp();
    const mistyped = carol.backupCode.slice(0, 5) + (carol.backupCode[5] === 'A' ? 'B' : 'A') + carol.backupCode.slice(6);
    expect(() => parseRecoveryCode(mistyped)).toThrow(BackupError);
    expect(await codeOf(CompanionPhone.restore({ relayUrl: relay.url, accountId: carol.accountId, code: generateRecoveryCode() }))).toBe('WRONG_CODE');
    // After a rotation the old code opens nothing the relay serves.
    const oldCode = carol.backupCode;
    expect(await carol.rotateBackupCode()).not.toBe(oldCode);
    expect(await codeOf(CompanionPhone.restore({ relayUrl: relay.url, accountId: carol.accountId, code: oldCode }))).toBe('WRONG_CODE');
    // Each proof counts: the rest of the hour's attempts, then the relay refuses even to check.
    for (let i = 2; i < BACKUP_RESTORE_ATTEMPTS_PER_HOUR; i++) {
      const c = await connect(relay.url);
      await c.getBackupChallenge(carol.accountId);
      expect(await codeOf(c.proveBackupCode(carol.accountId, new Uint8Array(64)))).toBe('WRONG_CODE');
      c.close();
    }
    expect(await codeOf(CompanionPhone.restore({ relayUrl: relay.url, accountId: carol.accountId, code: carol.backupCode }))).toBe('RATE_LIMITED');
    // Chunks are never handed out without a proof.
    const c = await connect(relay.url);
    expect(await codeOf(c.getBackupChunk(carol.accountId, 0))).toBe('UNAUTHENTICATED');
    c.close();
  }, 120_000);

  it('rejects a tampered or swapped backup blob served by the relay', async () => {
    const dave = await phone('Dr Dave');
    const erin = await phone('Dr Erin');
    await dave.backUp();
    await erin.backUp();
    const dataDir = relay.dataDir;
    const port = relay.port;
    for (const p of phones.splice(0)) await p.close();
    await relay.stop();
    const db = new Database(join(dataDir, 'backups.sqlite'));
    const chunkOf = (a: string) => (db.prepare('SELECT chunk FROM backup_chunks WHERE account_id = ? AND idx = 0').get(a) as { chunk: Buffer }).chunk;
    const daveOriginal = Buffer.from(chunkOf(dave.accountId));
    const tampered = Buffer.from(daveOriginal);
    tampered[10] = tampered[10]! ^ 0x01;
    const update = db.prepare('UPDATE backup_chunks SET chunk = ? WHERE account_id = ? AND idx = 0');
    update.run(tampered, dave.accountId);
    // Erin's backup now carries Dave's ciphertext: a swapped blob.
    update.run(daveOriginal, erin.accountId);
    db.close();
    relay = await spawnRelay({ dataDir, port });
    expect(await codeOf(CompanionPhone.restore({ relayUrl: relay.url, accountId: dave.accountId, code: dave.backupCode }))).toBe('BAD_BACKUP');
    expect(await codeOf(CompanionPhone.restore({ relayUrl: relay.url, accountId: erin.accountId, code: erin.backupCode }))).toBe('BAD_BACKUP');
  }, 120_000);

  it('works from the phone CLI: security-key, backup, restore', async () => {
    const dir = tmp('wardline-cli-backup-');
    const cli = async (data: string, ...args: string[]) =>
      (await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/phone/cli.ts', ...args, '--data', join(dir, data), '--relay', relay.url], { timeout: 60_000 })).stdout;
    const account = /^account ([0-9a-f]{32})$/m.exec(await cli('old', 'create', '--name', 'Dr Frank'))![1]!;
    const code = (await cli('old', 'security-key')).trim();
    expect(code).toMatch(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/);
    expect(await cli('old', 'backup')).toMatch(/^backed-up /);
    expect(await cli('old', 'backup')).toMatch(/^backup up to date/);
    const out = await cli('new', 'restore', '--account', account, '--code', code.toLowerCase().replace(/-/g, ' '));
    expect(out).toContain(`restored ${account}`);
    expect(out).toMatch(/^backup-from \d{4}-/m);
    expect((await cli('new', 'security-key')).trim()).toBe(code);
  }, 120_000);
});

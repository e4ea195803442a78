/**
 * Verification attestations and the directory through a real relay process: the admin CLI
 * issues and publishes, the relay gates the directory on a valid attestation, revocation
 * removes the badge, and forged or transplanted attestations are refused.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAccount, revokeAttestations } from '../src/admin/authority-admin';
import { loadAuthorityKey, type AuthorityKey } from '../src/admin/authority-key';
import { systemClock } from '../src/shared/clock';
import { DAY_MS } from '../src/shared/limits';
import { authorityAccountId, REVOCATION_LIST_NAME, verifyRevocationList } from '../src/shared/trust/revocation-list';
import { issueVerificationAttestation, VERIFICATION_ATTESTATION_NAME } from '../src/shared/trust/verification-attestation';
import { evaluateAttestation } from '../src/shared/trust/verification-status';
import type { RelayClient } from '../src/shared/wire/relay-client';
import { connectDevice, openClient, TestAccount } from '../server/testing/fixtures';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import { asRelayAdmin } from './support/relay-admin';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'wardline-admin-'));
const keyFile = join(dir, 'authority.json');
let relay: RelayProcess;
let key: AuthorityKey;

async function admincli(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/admin/cli.ts', ...args, '--key', keyFile, '--relay', relay.url], { timeout: 30_000 });
}

async function registered(): Promise<{ account: TestAccount; client: RelayClient }> {
  const account = new TestAccount();
  const device = account.addDevice('phone');
  const c = await openClient(relay.url);
  await c.publishDeviceList(account.nextList());
  c.close();
  return { account, client: await connectDevice(relay.url, account, device) };
}

const asAdmin = <T>(run: (admin: RelayClient) => Promise<T>) => asRelayAdmin(relay.url, run);

const verify = (account: TestAccount, name: string, extra: { organisation?: string; city?: string; profession?: string } = {}) =>
  asAdmin((admin) =>
    verifyAccount(admin, key, systemClock, {
      accountId: account.accountId,
      identityKey: account.identity.identity.publicKey,
      claims: { level: 'registration', registration: { scheme: 'BIG', number: '19012345601' }, name, profession: extra.profession ?? 'GP', ...extra },
    }),
  );

beforeAll(async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/admin/cli.ts', 'keygen', '--key', keyFile], { timeout: 30_000 });
  key = loadAuthorityKey(keyFile);
  expect(stdout.trim()).toBe(Buffer.from(key.publicKey).toString('hex'));
  relay = await spawnRelay({ args: ['--authority-key', stdout.trim()] });
}, 60_000);
afterAll(async () => {
  await relay.stop();
});

describe('admin CLI + relay (real relay process)', () => {
  it('issues a registration attestation the client verifies itself', async () => {
    const { account, client } = await registered();
    const { stdout } = await admincli('verify', account.accountId, '--level', 'registration', '--riziv', '1-23456-25-004', '--name', 'Dr. An Peeters', '--profession', 'GP', '--city', 'Gent');
    expect(stdout.trim()).toMatch(/^[0-9a-f]{32}$/);
    const blob = (await client.getAttestations(account.accountId)).find((a) => a.name === VERIFICATION_ATTESTATION_NAME)?.blob;
    const outcome = evaluateAttestation(blob, { authorityKey: key.publicKey }, { identityKey: account.identity.identity.publicKey, now: Date.now() });
    expect(outcome).toMatchObject({ verified: true, badges: { identity: true, registration: true }, attestation: { registration: { scheme: 'RIZIV', number: '12345625004' }, city: 'Gent' } });
    client.close();
  }, 60_000);

  it('refuses an invalid registration number and a relay serving another identity key', async () => {
    const { account, client } = await registered();
    const refused = await admincli('verify', account.accountId, '--level', 'registration', '--riziv', '12345626004', '--name', 'X').then(
      () => '',
      (e: unknown) => String((e as { stderr?: unknown }).stderr),
    );
    expect(refused).toContain('BAD_ARGUMENT');
    const other = ed25519.keygen().publicKey;
    await expect(
      asAdmin((admin) => verifyAccount(admin, key, systemClock, { accountId: account.accountId, identityKey: other, claims: { level: 'identity', name: 'X', profession: '' } })),
    ).rejects.toMatchObject({ code: 'IDENTITY_MISMATCH' });
    client.close();
  }, 60_000);

  it('refuses forged attestations, attestations for another key, and devices writing the reserved names', async () => {
    const { account, client } = await registered();
    const mallory = ed25519.keygen();
    const claims = { level: 'identity' as const, name: 'Mallory', profession: '' };
    const now = Date.now();
    const forged = issueVerificationAttestation(mallory.secretKey, claims, { identityKey: account.identity.identity.publicKey, issuedAt: now, expiresAt: now + DAY_MS });
    await expect(asAdmin((admin) => admin.publishVerification(forged))).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
    const unknown = issueVerificationAttestation(key.secretKey, claims, { identityKey: ed25519.keygen().publicKey, issuedAt: now, expiresAt: now + DAY_MS });
    await expect(asAdmin((admin) => admin.publishVerification(unknown))).rejects.toMatchObject({ code: 'UNKNOWN_ACCOUNT' });
    await expect(client.putAttestation(VERIFICATION_ATTESTATION_NAME, forged)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
    await expect(client.searchDirectory('gp')).rejects.toMatchObject({ code: 'NOT_VERIFIED' });
    client.close();
  }, 30_000);
});

describe('directory (real relay process)', () => {
  it('lets only verified accounts search, by name, profession, organisation and city', async () => {
    const searcher = await registered();
    const unverified = await registered();
    const cardio = await registered();
    const pharmacist = await registered();
    await verify(searcher.account, 'Dr. Searcher');
    await verify(cardio.account, 'Dr. Eva Janssens', { profession: 'Cardiologist', organisation: 'UZ Leuven', city: 'Leuven' });
    await verify(pharmacist.account, 'Jan de Vries', { profession: 'Pharmacist', organisation: 'Apotheek Centrum', city: 'Liège' });

    for (const q of ['janssens', 'CARDIO', 'uz leuven', 'leuven eva']) {
      const hits = await searcher.client.searchDirectory(q);
      expect(hits.map((h) => h.accountId)).toEqual([cardio.account.accountId]);
    }
    const liege = await searcher.client.searchDirectory('liege');
    expect(liege.map((h) => h.accountId)).toEqual([pharmacist.account.accountId]);
    // Every hit carries the authority's attestation, which the searcher checks itself.
    const hit = liege[0]!;
    expect(evaluateAttestation(hit.attestation, { authorityKey: key.publicKey }, { identityKey: pharmacist.account.identity.identity.publicKey, now: Date.now() }).verified).toBe(true);
    expect(await searcher.client.searchDirectory('nobody-like-this')).toEqual([]);
    // Unverified accounts never see the directory.
    await expect(unverified.client.searchDirectory('janssens')).rejects.toMatchObject({ code: 'NOT_VERIFIED' });
    const anonymous = await openClient(relay.url);
    await expect(anonymous.searchDirectory('janssens')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    anonymous.close();
    for (const c of [searcher, unverified, cardio, pharmacist]) c.client.close();
  }, 60_000);

  it('revocation removes the badge, the listing and the right to search; old lists are refused', async () => {
    const revokedOne = await registered();
    const searcher = await registered();
    const { attestationId } = await verify(revokedOne.account, 'Dr. Revoked Person');
    await verify(searcher.account, 'Dr. Second Searcher');
    expect((await searcher.client.searchDirectory('revoked person')).length).toBe(1);

    const state = join(dir, 'revocations.json');
    const { serial } = await asAdmin((admin) => revokeAttestations(admin, key, systemClock, state, [attestationId]));
    expect(await searcher.client.searchDirectory('revoked person')).toEqual([]);
    await expect(revokedOne.client.searchDirectory('searcher')).rejects.toMatchObject({ code: 'NOT_VERIFIED' });

    // A client holding the authority's list refuses the (still stored) attestation.
    const stored = await searcher.client.getAttestations(authorityAccountId(key.publicKey));
    const list = verifyRevocationList(stored.find((a) => a.name === REVOCATION_LIST_NAME)!.blob, key.publicKey);
    expect(list.serial).toBe(serial);
    const blob = (await searcher.client.getAttestations(revokedOne.account.accountId)).find((a) => a.name === VERIFICATION_ATTESTATION_NAME)?.blob;
    expect(evaluateAttestation(blob, { authorityKey: key.publicKey, revocations: list }, { identityKey: revokedOne.account.identity.identity.publicKey, now: Date.now() })).toMatchObject({ verified: false, reason: 'REVOKED' });

    // Re-publishing the revoked attestation is refused; a list with an old serial too.
    await expect(asAdmin((admin) => admin.publishVerification(blob!))).rejects.toMatchObject({ code: 'REVOKED' });
    const { signRevocationList } = await import('../src/shared/trust/revocation-list');
    await expect(asAdmin((admin) => admin.publishRevocations(signRevocationList(key.secretKey, serial, [], Date.now())))).rejects.toMatchObject({ code: 'STALE_DEVICE_LIST' });
    searcher.client.close();
    revokedOne.client.close();
  }, 60_000);

  it('after a restart lists from its store, and never lists attestations of a previous authority key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wardline-relay-restart-'));
    const other = ed25519.keygen();
    const hex = (k: Uint8Array) => Buffer.from(k).toString('hex');
    const session = async (authorityKey: Uint8Array, run: (url: string) => Promise<void>) => {
      const r = await spawnRelay({ dataDir, args: ['--authority-key', hex(authorityKey)] });
      try {
        await run(r.url);
      } finally {
        await r.stop();
      }
    };
    const searcher = new TestAccount();
    const listed = new TestAccount();
    const now = Date.now();
    const attest = (signer: Uint8Array, account: TestAccount, name: string) =>
      issueVerificationAttestation(signer, { level: 'identity', name, profession: 'GP' }, { identityKey: account.identity.identity.publicKey, issuedAt: now, expiresAt: now + DAY_MS });
    await session(key.publicKey, async (url) => {
      const c = await openClient(url);
      for (const a of [searcher, listed]) {
        a.addDevice('phone');
        await c.publishDeviceList(a.nextList());
      }
      await c.publishVerification(attest(key.secretKey, searcher, 'Restart Searcher'));
      await c.publishVerification(attest(key.secretKey, listed, 'Restart Listed'));
      c.close();
    });
    await session(key.publicKey, async (url) => {
      const c = await connectDevice(url, searcher, searcher.devices[0]!);
      expect((await c.searchDirectory('restart listed')).map((h) => h.accountId)).toEqual([listed.accountId]);
      c.close();
    });
    await session(other.publicKey, async (url) => {
      const c = await connectDevice(url, searcher, searcher.devices[0]!);
      await expect(c.searchDirectory('restart listed')).rejects.toMatchObject({ code: 'NOT_VERIFIED' });
      await c.publishVerification(attest(other.secretKey, searcher, 'Restart Searcher'));
      expect(await c.searchDirectory('restart listed')).toEqual([]);
      c.close();
    });
  }, 60_000);

  it('a relay without an authority key offers no directory', async () => {
    const plain = await spawnRelay();
    try {
      const c = await openClient(plain.url);
      const now = Date.now();
      const a = new TestAccount();
      const att = issueVerificationAttestation(key.secretKey, { level: 'identity', name: 'X', profession: '' }, { identityKey: a.identity.identity.publicKey, issuedAt: now, expiresAt: now + DAY_MS });
      await expect(c.publishVerification(att)).rejects.toMatchObject({ code: 'NO_AUTHORITY' });
      c.close();
    } finally {
      await plain.stop();
    }
  }, 60_000);
});

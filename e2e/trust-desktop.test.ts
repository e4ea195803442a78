/**
 * Verification and the directory as the desktop user sees them, through a real relay process
 * with an authority key, real companion phones and the desktop core's API: badges come from
 * attestations the core checks itself, and the directory opens only once the user is verified.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type RelayProcess } from '../server/testing/relay-process';
import { verifyAccount } from '../src/admin/authority-admin';
import type { AuthorityKey } from '../src/admin/authority-key';
import { createDesktopCore, type DesktopCore } from '../src/main/core/desktop-core';
import { createCoreLogger } from '../src/main/core/logging';
import { CompanionPhone } from '../src/phone/companion-phone';
import { systemClock } from '../src/shared/clock';
import type { VerificationClaims } from '../src/shared/trust/verification-attestation';
import type { RelayClient } from '../src/shared/wire/relay-client';
import { coreApiCaller } from './support/core-api';
import { asRelayAdmin } from './support/relay-admin';

const logger = createCoreLogger({ level: 'silent' });
const authority: AuthorityKey = (() => {
  const k = ed25519.keygen();
  return { publicKey: k.publicKey, secretKey: k.secretKey };
})();

let relay: RelayProcess;
let core: DesktopCore;
let me: CompanionPhone;
let colleague: CompanionPhone;
let stranger: CompanionPhone;

const call = coreApiCaller(() => core, logger);
const asAdmin = <T>(run: (admin: RelayClient) => Promise<T>) => asRelayAdmin(relay.url, run);

const verify = (phone: CompanionPhone, claims: VerificationClaims) =>
  asAdmin((admin) => verifyAccount(admin, authority, systemClock, { accountId: phone.ownDeviceList.accountId, identityKey: phone.ownDeviceList.identityKey, claims }));

beforeAll(async () => {
  relay = await spawnRelay({ args: ['--authority-key', Buffer.from(authority.publicKey).toString('hex')] });
  me = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Me', profession: 'GP' } });
  colleague = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Dr. Colleague', profession: 'Cardiology' } });
  stranger = await CompanionPhone.create({ relayUrl: relay.url, profile: { displayName: 'Someone', profession: '' } });
  await verify(colleague, { level: 'registration', registration: { scheme: 'BIG', number: '19012345601' }, name: 'Dr. Colleague', profession: 'Cardiologist', organisation: 'Ziekenhuis Oost', city: 'Utrecht' });

  core = await createDesktopCore({
    dataDir: mkdtempSync(join(tmpdir(), 'wardline-trust-e2e-')),
    relayUrl: relay.url,
    workstationName: 'Ward 7',
    logger,
    authorityKey: authority.publicKey,
  });
  const offer = await call('pairing.start', {});
  await me.pairDesktop(offer.url, { approve: () => true });
  for (let i = 0; i < 100 && (await call('app.getState', {})).phase !== 'ready'; i++) await new Promise((r) => setTimeout(r, 50));
  expect((await call('app.getState', {})).phase).toBe('ready');
}, 60_000);

afterAll(async () => {
  await core.close();
  for (const p of [me, colleague, stranger]) await p.close();
  await relay.stop();
});

describe('verification on the desktop (real relay, phones and core)', () => {
  it('shows badges from a checked attestation, and none for an unverified account', async () => {
    const verified = await call('conversations.start', { accountId: colleague.ownDeviceList.accountId });
    expect(verified.verification).toEqual({ identity: true, registration: true });
    const unverified = await call('conversations.start', { accountId: stranger.ownDeviceList.accountId });
    expect(unverified.verification).toEqual({ identity: false, registration: false });
    const contacts = await call('contacts.list', {});
    expect(contacts.find((c) => c.accountId === colleague.ownDeviceList.accountId)?.verification.registration).toBe(true);
  }, 30_000);

  it('an unverified user searches only known contacts; once verified, the whole directory', async () => {
    const before = await call('directory.search', { query: 'colleague' });
    expect(before.scope).toBe('contacts');
    expect(before.results.map((r) => r.accountId)).toEqual([colleague.ownDeviceList.accountId]);
    expect((await call('directory.search', { query: 'utrecht' })).results).toEqual([]);

    await verify(me, { level: 'identity', name: 'Dr. Me', profession: 'GP' });
    const after = await call('directory.search', { query: 'utrecht' });
    expect(after.scope).toBe('directory');
    expect(after.results).toEqual([
      {
        accountId: colleague.ownDeviceList.accountId,
        displayName: 'Dr. Colleague',
        profession: 'Cardiologist',
        organisation: 'Ziekenhuis Oost',
        city: 'Utrecht',
        verification: { identity: true, registration: true },
      },
    ]);
  }, 30_000);
});

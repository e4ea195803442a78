import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../protocol/codec';
import { createCertifiedDevice } from '../protocol/device-certificate';
import { createAccountIdentity } from '../protocol/identity';
import { decodeSigned, encodeSigned } from '../protocol/signing';
import { thrownCode } from '../testing/error-code';
import { createGroupChange } from './group-change';
import { GroupError } from './group-error';
import { signGroupListing, verifyGroupListing } from './group-listing';
import { testGroupAccount } from './group-test-actors';

const now = 1_800_000_000_000;
const code = (fn: () => unknown) => thrownCode(fn, { only: GroupError, whenNone: 'OK' });

describe('group listings', () => {
  const admin = testGroupAccount();
  const mod = testGroupAccount();
  const member = testGroupAccount();
  const { state } = createGroupChange(admin, null, { op: 'create', kind: 'group', name: 'GP network Leuven', discoverable: true, description: 'Regional GPs and pharmacists', members: [admin.as('admin'), mod.as('moderator'), member.as('member')] }, now);

  it('names the admins and moderators as approvers and verifies on its own', () => {
    const listing = verifyGroupListing(signGroupListing(admin, state, now));
    expect(listing).toMatchObject({ groupId: state.groupId, name: 'GP network Leuven', description: 'Regional GPs and pharmacists', listed: true, actor: admin.accountId });
    expect([...listing.approvers]).toEqual([admin.accountId, mod.accountId]);
    expect(code(() => signGroupListing(mod, state, now))).toBe('NOT_ALLOWED');
  });

  it('refuses forged and tampered listings', () => {
    const bytes = signGroupListing(admin, state, now);
    const { body, signature } = decodeSigned(bytes, 'x');
    const tampered = body.slice();
    tampered[20]! ^= 1;
    expect(code(() => verifyGroupListing(encodeCbor({ b: tampered, s: signature })))).not.toBe('OK');
    // Someone else's device key signing in the admin's name with the admin's certificate.
    const other = createCertifiedDevice(createAccountIdentity(), 'phone', 'x', 0);
    expect(code(() => verifyGroupListing(signGroupListing({ ...admin, device: other.keys }, state, now)))).toBe('BAD_SIGNATURE');
    // A certificate from another identity.
    expect(code(() => verifyGroupListing(signGroupListing({ ...admin, certificate: other.certificate }, state, now)))).toBe('BAD_CERTIFICATE');
    // An identity key that is not the actor's.
    expect(code(() => verifyGroupListing(signGroupListing({ ...admin, identityKey: mod.identityKey }, state, now)))).toBe('IDENTITY_MISMATCH');
    expect(code(() => verifyGroupListing(encodeSigned('group-listing', encodeCbor({ v: 1 }), admin.device.signing.secretKey.bytes)))).toBe('MALFORMED');
    expect(code(() => verifyGroupListing(new Uint8Array(5000)))).toBe('MALFORMED');
    // A change signature is not a listing signature (domain separation).
    expect(code(() => verifyGroupListing(encodeSigned('group-change', body, admin.device.signing.secretKey.bytes)))).toBe('BAD_SIGNATURE');
  });
});

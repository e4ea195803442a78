/** Test-only: accounts with a certified device, ready to act in groups. Not imported by product code. */
import { createCertifiedDevice } from '../protocol/device-certificate';
import { createAccountIdentity, type AccountIdentity } from '../protocol/identity';
import type { GroupActor } from './group-change';
import { groupMember, type GroupMember, type GroupRole } from './group-state';

export interface TestGroupAccount extends GroupActor {
  readonly account: AccountIdentity;
  readonly identityKey: Uint8Array;
  as(role: GroupRole): GroupMember;
}

export function testGroupAccount(): TestGroupAccount {
  const account = createAccountIdentity();
  const { keys, certificate } = createCertifiedDevice(account, 'phone', 'phone', 0);
  return {
    account,
    accountId: account.accountId,
    device: keys,
    certificate,
    identityKey: account.identity.publicKey,
    as: (role) => groupMember(account.identity.publicKey, role),
  };
}

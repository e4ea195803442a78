import { describe, expect, it } from 'vitest';
import type { ApiHandlers } from '../../../shared/api';
import { GROUP_NAME_MAX_CHARS } from '../../../shared/limits';
import { dispatchApiCall } from '../api/dispatch';
import type { AccountSession } from '../session/account-session';
import { createGroupHandlers } from './group-handlers';

/** Handlers whose session records whether any group action ran. */
function handlers() {
  const ran: string[] = [];
  const groups = {
    service: new Proxy({}, { get: (_t, name) => () => ran.push(String(name)) }),
    info: () => ran.push('info'),
  };
  const core = { ready: () => ({ groups }) as unknown as AccountSession };
  return { ran, handlers: createGroupHandlers(core) as unknown as ApiHandlers };
}

const ACCOUNT = 'a'.repeat(32);
const GROUP = 'b'.repeat(32);

describe('groups.* input validation', () => {
  it.each([
    ['groups.create', { kind: 'group', name: '', memberAccountIds: [] }],
    ['groups.create', { kind: 'group', name: '   ', memberAccountIds: [ACCOUNT] }],
    ['groups.create', { kind: 'group', name: 'x'.repeat(GROUP_NAME_MAX_CHARS + 1), memberAccountIds: [ACCOUNT] }],
    ['groups.create', { kind: 'team', name: 'Ward 4', memberAccountIds: [ACCOUNT] }],
    ['groups.create', { kind: 'group', name: 'Ward 4', memberAccountIds: [ACCOUNT], admin: true }],
    ['groups.addMembers', { groupId: GROUP, accountIds: [] }],
    ['groups.setRole', { groupId: GROUP, accountId: ACCOUNT, role: 'owner' }],
    ['groups.removeMember', { groupId: GROUP }],
    ['groups.setPicture', { groupId: GROUP, data: 'not base64!' }],
    ['groups.setDiscoverable', { groupId: GROUP, discoverable: 'yes' }],
    ['groups.searchDiscoverable', { query: 'a' }],
    ['groups.requestJoin', { groupId: GROUP, note: 'x'.repeat(501) }],
    ['groups.answerJoinRequest', { groupId: GROUP, accountId: ACCOUNT }],
  ] as const)('%s refuses %j before any group action runs', async (method, input) => {
    const { ran, handlers: h } = handlers();
    const result = await dispatchApiCall(h, method, input);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(ran).toEqual([]);
  });

  it('refuses member ids that are not account ids, even when the schema lets the string through', async () => {
    const { ran, handlers: h } = handlers();
    const result = await dispatchApiCall(h, 'groups.create', { kind: 'group', name: 'Ward 4', memberAccountIds: ['../../etc'] });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(ran).toEqual([]);
  });
});

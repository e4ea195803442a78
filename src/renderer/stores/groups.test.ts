/** The groups store against a fake bridge: join requests follow groups.changed, refusals become notices, reset forgets. */
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiErrorCode, ApiEventName, ApiEventPayload, ApiInput, ApiMethodName, ApiOutput, ApiResult, GroupInfo, GroupJoinRequest, WardlineBridge } from '../../shared/api';
import { createWardlineClient, installWardlineClient } from '../api';
import { useGroupsStore } from './groups';
import { useNoticesStore } from './notices';

type Handlers = { [M in ApiMethodName]?: (input: ApiInput<M>) => ApiOutput<M> | ApiErrorCode };

function fakeBridge(handlers: Handlers) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const calls: ApiMethodName[] = [];
  const bridge: WardlineBridge = {
    call<M extends ApiMethodName>(method: M, input: ApiInput<M>): Promise<ApiResult<ApiOutput<M>>> {
      calls.push(method);
      const handler = handlers[method];
      if (!handler) return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
      const value = handler(input);
      return Promise.resolve(typeof value === 'string' ? { ok: false, error: { code: value } } : { ok: true, value });
    },
    on<E extends ApiEventName>(event: E, listener: (payload: ApiEventPayload<E>) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
  installWardlineClient(createWardlineClient(bridge));
  const emit = <E extends ApiEventName>(event: E, payload: ApiEventPayload<E>) => listeners.get(event)?.forEach((l) => l(payload));
  return { calls, emit };
}

const request: GroupJoinRequest = {
  groupId: 'g'.repeat(32),
  groupName: 'Regional GPs',
  accountId: 'a'.repeat(32),
  displayName: 'Dr. New',
  verification: { identity: true, registration: false },
  receivedAt: 1,
};
const info: GroupInfo = {
  groupId: 'g'.repeat(32),
  conversationId: 'c1',
  kind: 'group',
  name: 'Regional GPs',
  discoverable: true,
  version: 2,
  myRole: 'admin',
  members: [],
  joinRequests: [],
};
const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => setActivePinia(createPinia()));

describe('groups store', () => {
  it('loads join requests at start and again on groups.changed; answering removes the request', async () => {
    let pending = [request];
    const bridge = fakeBridge({
      'groups.joinRequests': () => pending,
      'groups.answerJoinRequest': () => {
        pending = [];
        return info;
      },
    });
    const groups = useGroupsStore();
    groups.start();
    await flush();
    expect(groups.joinRequests).toEqual([request]);
    expect(await groups.answer(request.groupId, request.accountId, true)).toBe(true);
    expect(groups.joinRequests).toEqual([]);
    expect(groups.info.c1).toEqual(info);
    pending = [request];
    bridge.emit('groups.changed', { groupId: request.groupId, conversationId: 'c1' });
    await flush();
    expect(groups.joinRequests).toEqual([request]);
  });

  it('a refused change becomes a translated notice and leaves the cached info alone', async () => {
    fakeBridge({ 'groups.get': () => info, 'groups.removeMember': () => 'GROUP_NOT_ALLOWED' });
    const groups = useGroupsStore();
    await groups.load('c1');
    expect(await groups.removeMember(info.groupId, 'b'.repeat(32))).toBe(false);
    expect(useNoticesStore().notices.map((n) => n.code)).toEqual(['GROUP_NOT_ALLOWED']);
    expect(groups.info.c1).toEqual(info);
    expect(groups.busy).toBe(false);
  });

  it('reset forgets names and requests and stops listening', async () => {
    const bridge = fakeBridge({ 'groups.joinRequests': () => [request], 'groups.get': () => info });
    const groups = useGroupsStore();
    groups.start();
    await groups.load('c1');
    await flush();
    groups.reset();
    expect([groups.joinRequests, groups.info]).toEqual([[], {}]);
    const before = bridge.calls.length;
    bridge.emit('groups.changed', { groupId: info.groupId, conversationId: 'c1' });
    await flush();
    expect(bridge.calls.length).toBe(before);
  });
});

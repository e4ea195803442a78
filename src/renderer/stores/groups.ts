/** Groups and broadcast lists: the open group's info, join requests to answer, discoverable search. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ApiInput, DiscoverableGroup, GroupInfo, GroupJoinRequest, GroupKind, GroupRole } from '../../shared/api';
import { useWardline } from '../api';
import { useConversationsStore } from './conversations';
import { useNoticesStore } from './notices';

export const useGroupsStore = defineStore('groups', () => {
  const notices = useNoticesStore();
  /** Info of groups the UI looked at, by conversation id. */
  const info = ref<Record<string, GroupInfo>>({});
  const joinRequests = ref<GroupJoinRequest[]>([]);
  const busy = ref(false);
  let stops: (() => void)[] = [];

  async function loadJoinRequests(): Promise<void> {
    try {
      joinRequests.value = await useWardline().call('groups.joinRequests', {});
    } catch (error) {
      notices.report(error);
    }
  }

  async function load(conversationId: string): Promise<GroupInfo | null> {
    try {
      const value = await useWardline().call('groups.get', { conversationId });
      info.value = { ...info.value, [conversationId]: value };
      return value;
    } catch (error) {
      notices.report(error);
      return null;
    }
  }

  function start(): void {
    stop();
    stops = [
      useWardline().on('groups.changed', ({ conversationId }) => {
        if (conversationId in info.value) void load(conversationId);
        void loadJoinRequests();
      }),
    ];
    void loadJoinRequests();
  }

  function stop(): void {
    for (const s of stops) s();
    stops = [];
  }

  /** Runs one change; the new info replaces the cached one. Errors become notices; returns success. */
  async function change(run: () => Promise<GroupInfo | null>): Promise<boolean> {
    if (busy.value) return false;
    busy.value = true;
    try {
      const value = await run();
      if (value) info.value = { ...info.value, [value.conversationId]: value };
      return true;
    } catch (error) {
      notices.report(error);
      return false;
    } finally {
      busy.value = false;
    }
  }

  async function create(kind: GroupKind, name: string, memberAccountIds: string[]): Promise<GroupInfo | null> {
    const result: { info: GroupInfo | null } = { info: null };
    await change(async () => (result.info = await useWardline().call('groups.create', { kind, name, memberAccountIds })));
    if (result.info) {
      const conversations = useConversationsStore();
      await conversations.load();
      conversations.select(result.info.conversationId);
    }
    return result.info;
  }

  const api = () => useWardline();
  const call = <M extends 'groups.addMembers' | 'groups.removeMember' | 'groups.setRole' | 'groups.rename' | 'groups.setDiscoverable' | 'groups.answerJoinRequest'>(
    method: M,
    input: ApiInput<M>,
  ) => change(() => api().call(method, input));

  return {
    info,
    joinRequests,
    busy,
    start,
    stop,
    load,
    loadJoinRequests,
    create,
    addMembers: (groupId: string, accountIds: string[]) => call('groups.addMembers', { groupId, accountIds }),
    removeMember: (groupId: string, accountId: string) => call('groups.removeMember', { groupId, accountId }),
    setRole: (groupId: string, accountId: string, role: GroupRole) => call('groups.setRole', { groupId, accountId, role }),
    rename: (groupId: string, name: string) => call('groups.rename', { groupId, name }),
    setDiscoverable: (groupId: string, discoverable: boolean, description?: string) =>
      call('groups.setDiscoverable', { groupId, discoverable, ...(description ? { description } : {}) }),
    answer: async (groupId: string, accountId: string, approve: boolean) => {
      const ok = await call('groups.answerJoinRequest', { groupId, accountId, approve });
      if (ok) joinRequests.value = joinRequests.value.filter((r) => !(r.groupId === groupId && r.accountId === accountId));
      return ok;
    },
    leave: (groupId: string, successorAccountId?: string) =>
      change(async () => {
        await api().call('groups.leave', { groupId, ...(successorAccountId ? { successorAccountId } : {}) });
        return null;
      }),
    search: async (query: string): Promise<DiscoverableGroup[] | null> => {
      try {
        return await api().call('groups.searchDiscoverable', { query });
      } catch (error) {
        notices.report(error);
        return null;
      }
    },
    requestJoin: (groupId: string, note?: string) =>
      change(async () => {
        await api().call('groups.requestJoin', { groupId, ...(note ? { note } : {}) });
        return null;
      }),
    reset: () => {
      stop();
      info.value = {};
      joinRequests.value = [];
    },
  };
});

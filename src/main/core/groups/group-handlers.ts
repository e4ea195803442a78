/**
 * The groups.* methods of the API contract (src/shared/api.ts). Input arrives validated by
 * dispatchApiCall; account ids are checked to be ids here, everything else is decided by the
 * group rules in src/shared/groups/.
 */
import type { ApiHandlers } from '../../../shared/api';
import { zAccountId } from '../../../shared/protocol/ids';
import type { CoreServices } from '../api/handlers';
import { GroupCoreError } from './group-core-error';

type GroupMethod = Extract<keyof ApiHandlers, `groups.${string}`>;

function accountIds(ids: readonly string[]): string[] {
  for (const id of ids) if (!zAccountId.safeParse(id).success) throw new GroupCoreError('INVALID_INPUT', 'accountId');
  return [...ids];
}

export function createGroupHandlers(core: Pick<CoreServices, 'ready'>): Pick<ApiHandlers, GroupMethod> {
  const groups = () => core.ready().groups;
  return {
    'groups.create': async ({ kind, name, memberAccountIds }) => {
      const g = groups();
      return g.service.info(await g.service.create(kind, name, accountIds(memberAccountIds)));
    },
    'groups.get': ({ conversationId }) => Promise.resolve(groups().info(conversationId)),
    'groups.addMembers': async ({ groupId, accountIds: ids }) => {
      const g = groups();
      return g.service.info(await g.service.addMembers(groupId, accountIds(ids)));
    },
    'groups.removeMember': async ({ groupId, accountId }) => {
      const g = groups();
      return g.service.info(await g.service.removeMember(groupId, accountIds([accountId])[0]!));
    },
    'groups.setRole': ({ groupId, accountId, role }) => groups().setRole(groupId, accountIds([accountId])[0]!, role),
    'groups.rename': async ({ groupId, name }) => {
      const g = groups();
      return g.service.info(await g.service.rename(groupId, name));
    },
    'groups.setPicture': async ({ groupId, data }) => {
      const g = groups();
      return g.service.info(await g.service.setPicture(groupId, data === null ? null : new Uint8Array(Buffer.from(data, 'base64'))));
    },
    'groups.leave': async ({ groupId, successorAccountId }) => {
      await groups().service.leave(groupId, successorAccountId === undefined ? undefined : accountIds([successorAccountId])[0]);
      return null;
    },
    'groups.setDiscoverable': ({ groupId, discoverable, description }) => groups().setDiscoverable(groupId, discoverable, description),
    'groups.searchDiscoverable': ({ query }) => groups().listings.search(query),
    'groups.requestJoin': async ({ groupId, note }) => {
      await groups().listings.requestJoin(groupId, note);
      return null;
    },
    'groups.answerJoinRequest': ({ groupId, accountId, approve }) => groups().answerJoinRequest(groupId, accountId, approve),
    'groups.joinRequests': () => Promise.resolve(groups().joinRequests()),
  };
}

/**
 * `npm run phone -- group <subcommand> --data DIR` (src/phone/cli.ts hands over here):
 *   group create <name> <accountId>... [--broadcast]   prints the group id
 *   group list                                          id, kind, version, member count, name
 *   group show <groupId>                                members with roles
 *   group add <groupId> <accountId>... [--role R] | remove <groupId> <accountId>... | role <groupId> <accountId> <role>
 *   group leave <groupId> [--successor ID] | rename <groupId> <name> | send <groupId> <text> | resync <groupId>
 *   group discoverable <groupId> on|off [--description D]
 *   group search <query> | join <groupId> <query> [--note N] | requests | approve <groupId> <accountId>
 * Changes and join requests from others are taken in by `listen`, which also prints group events.
 */
import { zGroupId } from '../shared/groups/group-id';
import { GROUP_ROLES, type GroupRole } from '../shared/groups/group-state';
import { zAccountId } from '../shared/protocol/ids';
import type { CompanionPhone } from './companion-phone';
import type { GroupEvent } from './phone-groups';

export interface GroupCliOptions {
  readonly broadcast?: boolean;
  readonly role?: string;
  readonly successor?: string;
  readonly description?: string;
  readonly note?: string;
}

function role(text: string | undefined): GroupRole {
  const r = GROUP_ROLES.find((x) => x === text);
  if (!r) throw new Error(`role must be one of ${GROUP_ROLES.join(', ')}`);
  return r;
}

export function describeGroupEvent(e: GroupEvent): string {
  switch (e.type) {
    case 'changed':
      return `group-changed ${e.groupId} version ${e.state.version} by ${e.actor}`;
    case 'refused':
      return `group-change-refused ${e.groupId ?? '-'} from ${e.from}: ${e.code}`;
    case 'join-request':
      return `group-join-request ${e.request.groupId} from ${e.request.from}${e.request.attestation ? ' (with attestation)' : ''}`;
    case 'message':
      return `group-message ${e.groupId} from ${e.from}`;
    case 'dropped':
      return `group-message-dropped ${e.groupId} from ${e.from}: ${e.reason}`;
  }
}

/** Runs one `group` subcommand; prints results with `out`. Returns the exit code. */
export async function runGroupCommand(phone: CompanionPhone, args: readonly string[], o: GroupCliOptions, out: (line: string) => void): Promise<number> {
  const [sub, first, ...rest] = args;
  const groups = phone.groups;
  const groupId = () => zGroupId.parse(first);
  const accounts = (list: readonly string[]) => list.map((a) => zAccountId.parse(a));
  switch (sub) {
    case 'create': {
      if (!first) throw new Error('group create needs <name> <accountId>...');
      const state = await groups.create({ kind: o.broadcast ? 'broadcast' : 'group', name: first, members: accounts(rest) });
      out(`group ${state.groupId}`);
      return 0;
    }
    case 'list':
      for (const g of groups.all) out(`${g.groupId} ${g.kind} v${g.version} ${g.members.length} "${g.name}"`);
      return 0;
    case 'show': {
      const g = groups.get(groupId());
      if (!g) throw new Error('unknown group');
      out(`${g.groupId} ${g.kind} v${g.version} "${g.name}"${g.discoverable ? ' discoverable' : ''}`);
      for (const m of g.members) out(`${m.accountId} ${m.role}`);
      return 0;
    }
    case 'add':
      out(`version ${(await groups.add(groupId(), accounts(rest), o.role ? role(o.role) : 'member')).version}`);
      return 0;
    case 'remove':
      out(`version ${(await groups.remove(groupId(), accounts(rest))).version}`);
      return 0;
    case 'role': {
      const [accountId, r] = rest;
      out(`version ${(await groups.setRole(groupId(), zAccountId.parse(accountId), role(r))).version}`);
      return 0;
    }
    case 'leave':
      out(`version ${(await groups.leave(groupId(), o.successor ? zAccountId.parse(o.successor) : undefined)).version}`);
      return 0;
    case 'resync':
      out(`version ${(await groups.resync(groupId())).version}`);
      return 0;
    case 'rename':
      out(`version ${(await groups.rename(groupId(), rest.join(' '))).version}`);
      return 0;
    case 'send':
      out(`sent ${await groups.sendText(groupId(), rest.join(' '))}`);
      return 0;
    case 'discoverable': {
      const on = rest[0] === 'on';
      if (!on && rest[0] !== 'off') throw new Error('group discoverable <groupId> on|off');
      out(`version ${(await groups.setDiscoverable(groupId(), on, o.description)).version}`);
      return 0;
    }
    case 'search':
      for (const l of await groups.search([first, ...rest].join(' '))) out(`${l.groupId} ${l.kind} "${l.name}" approvers ${l.approvers.join(',')}`);
      return 0;
    case 'join': {
      const id = groupId();
      const listing = (await groups.search(rest.join(' '))).find((l) => l.groupId === id);
      if (!listing) throw new Error('no such discoverable group for that query');
      await groups.requestJoin(listing, o.note);
      out(`requested ${id}`);
      return 0;
    }
    case 'requests':
      for (const r of groups.joinRequests) out(`${r.groupId} ${r.from} ${new Date(r.receivedAt).toISOString()}${r.attestation ? ' attested' : ''}`);
      return 0;
    case 'approve': {
      const [from] = rest;
      out(`version ${(await groups.approveJoinRequest(groupId(), zAccountId.parse(from))).version}`);
      return 0;
    }
    default:
      throw new Error('group create|list|show|add|remove|role|leave|rename|resync|send|discoverable|search|join|requests|approve');
  }
}

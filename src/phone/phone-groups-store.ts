/**
 * The phone's groups on disk: `groups.json` next to the phone state (0600), each group as its
 * snapshot (src/shared/groups/group-state.ts) plus pending join requests. Without a data
 * directory the phone keeps them in memory only. Snapshots are re-checked when loaded.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { fromBase64Url, toBase64Url } from '../shared/bytes';
import { decodeGroupState, encodeGroupState, type GroupState } from '../shared/groups/group-state';
import { zGroupId, type GroupId } from '../shared/groups/group-id';
import { zAccountId, type AccountId } from '../shared/protocol/ids';

export const PHONE_GROUPS_FILE = 'groups.json';

export interface JoinRequest {
  readonly groupId: GroupId;
  readonly from: AccountId;
  readonly note?: string;
  readonly attestation?: Uint8Array;
  readonly receivedAt: number;
}

export interface PhoneGroupsData {
  readonly groups: Map<GroupId, GroupState>;
  joinRequests: JoinRequest[];
}

const zFile = z
  .object({
    v: z.literal(1),
    groups: z.array(z.string()),
    joinRequests: z.array(z.object({ g: zGroupId, a: zAccountId, m: z.string().optional(), x: z.string().optional(), t: z.number() }).strict()),
  })
  .strict();

export function loadPhoneGroups(dir: string | undefined): PhoneGroupsData {
  const data: PhoneGroupsData = { groups: new Map(), joinRequests: [] };
  if (!dir || !existsSync(join(dir, PHONE_GROUPS_FILE))) return data;
  const file = zFile.parse(JSON.parse(readFileSync(join(dir, PHONE_GROUPS_FILE), 'utf8')));
  for (const s of file.groups) {
    const state = decodeGroupState(fromBase64Url(s));
    data.groups.set(state.groupId, state);
  }
  data.joinRequests = file.joinRequests.map((r) => ({
    groupId: r.g,
    from: r.a,
    receivedAt: r.t,
    ...(r.m === undefined ? {} : { note: r.m }),
    ...(r.x === undefined ? {} : { attestation: fromBase64Url(r.x) }),
  }));
  return data;
}

export function savePhoneGroups(dir: string | undefined, data: PhoneGroupsData): void {
  if (!dir) return;
  const file: z.infer<typeof zFile> = {
    v: 1,
    groups: [...data.groups.values()].map((s) => toBase64Url(encodeGroupState(s))),
    joinRequests: data.joinRequests.map((r) => ({
      g: r.groupId,
      a: r.from,
      t: r.receivedAt,
      ...(r.note === undefined ? {} : { m: r.note }),
      ...(r.attestation === undefined ? {} : { x: toBase64Url(r.attestation) }),
    })),
  };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, PHONE_GROUPS_FILE);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(file), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

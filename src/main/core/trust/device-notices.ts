/**
 * "<name> is using a new phone": a contact restored the account on a new phone (docs/protocol.md
 * §16). Every verified device list of a contact passes through `seen`; when it is newer than the
 * last one recorded, under the same identity key, and names a phone device the last one did not,
 * a system line is added to the conversation with that contact. It is deliberately not a
 * safety-number warning and does not hold messages back: the identity key is unchanged, so the
 * people and the end-to-end keys behind the conversation are the same. A list under another
 * identity key is the safety-number case (safety-number-guard.ts): that block still applies, and
 * the new phones are only recorded. Notices follow the 30-day rule like messages.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { z } from 'zod';
import { phoneDeviceIds, phoneReplaced } from '../../../shared/backup/phone-change';
import type { Clock } from '../../../shared/clock';
import { MESSAGE_RETENTION_MS } from '../../../shared/limits';
import type { DeviceList } from '../../../shared/protocol/device-list';

export type DeviceNoticeKind = 'new-phone';

export interface DeviceNotice {
  readonly id: string;
  readonly kind: DeviceNoticeKind;
  readonly at: number;
}

const zDeviceIds = z.array(z.string().max(64)).max(64);

export class DeviceNotices {
  readonly #clock: Clock;
  readonly #added: (conversationId: string) => void;
  readonly #phones;
  readonly #savePhones;
  readonly #conversationOf;
  readonly #insert;
  readonly #list;
  readonly #expire;

  /** `added`: a notice went into that conversation (the UI lists should be re-read). */
  constructor(db: Database, clock: Clock, added: (conversationId: string) => void) {
    this.#clock = clock;
    this.#added = added;
    this.#phones = db.prepare<[string], { list_version: number; device_ids: string }>('SELECT list_version, device_ids FROM contact_phones WHERE account_id = ?');
    this.#savePhones = db.prepare(
      'INSERT INTO contact_phones (account_id, list_version, device_ids) VALUES (?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET list_version = excluded.list_version, device_ids = excluded.device_ids',
    );
    this.#conversationOf = db.prepare<[string], { id: string }>(`SELECT id FROM conversations WHERE kind = 'direct' AND peer_account_id = ?`);
    this.#insert = db.prepare('INSERT INTO device_notices (conversation_id, kind, at) VALUES (?, ?, ?)');
    this.#list = db.prepare<[string, number], { id: number; kind: DeviceNoticeKind; at: number }>(
      'SELECT id, kind, at FROM device_notices WHERE conversation_id = ? AND at > ? ORDER BY at, id',
    );
    this.#expire = db.prepare('DELETE FROM device_notices WHERE at <= ?');
  }

  /**
   * A contact's device list this desktop verified. `sameIdentity`: signed by the identity key
   * pinned for the contact (false on a changed safety number). Returns whether a notice was added.
   */
  seen(list: DeviceList, sameIdentity: boolean): boolean {
    const row = this.#phones.get(list.accountId);
    if (row && list.version <= row.list_version) return false;
    const replaced = sameIdentity && phoneReplaced(row ? recordedPhones(row.device_ids) : undefined, list);
    this.#savePhones.run(list.accountId, list.version, JSON.stringify(phoneDeviceIds(list)));
    if (!replaced) return false;
    const conversation = this.#conversationOf.get(list.accountId);
    if (!conversation) return false;
    const now = this.#clock.now();
    this.#expire.run(now - MESSAGE_RETENTION_MS);
    this.#insert.run(conversation.id, 'new-phone', now);
    this.#added(conversation.id);
    return true;
  }

  /** The conversation's notices within the retention period, oldest first. */
  list(conversationId: string): DeviceNotice[] {
    return this.#list.all(conversationId, this.#clock.now() - MESSAGE_RETENTION_MS).map((r) => ({ id: `notice-${String(r.id)}`, kind: r.kind, at: r.at }));
  }
}

/** The phone ids recorded for a contact; anything unreadable counts as nothing recorded (no notice). */
function recordedPhones(json: string): string[] | undefined {
  try {
    const parsed = zDeviceIds.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

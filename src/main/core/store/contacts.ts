import type { Database } from 'better-sqlite3-multiple-ciphers';
import { z } from 'zod';
import type { Clock } from '../../../shared/clock';
import { constantTimeEqual } from '../../../shared/bytes';
import { PROFILE_FIELD_MAX_CHARS } from '../../../shared/limits';

export const zContactInput = z.object({
  accountId: z.string().min(1).max(128),
  displayName: z.string().min(1).max(PROFILE_FIELD_MAX_CHARS),
  profession: z.string().max(PROFILE_FIELD_MAX_CHARS).nullable().default(null),
  organisation: z.string().max(PROFILE_FIELD_MAX_CHARS).nullable().default(null),
  identityKey: z.instanceof(Uint8Array).refine((k) => k.length === 32, 'identity key is 32 bytes'),
});
export type ContactInput = z.input<typeof zContactInput>;

export interface Contact {
  readonly accountId: string;
  readonly displayName: string;
  readonly profession: string | null;
  readonly organisation: string | null;
  readonly identityKey: Uint8Array;
  readonly verified: boolean;
  /** The contact's identity key changed since we last saw it; the user should re-verify. */
  readonly safetyNumberChanged: boolean;
  readonly updatedAt: number;
}

export interface Contacts {
  /**
   * Inserts or updates. A different identity key than the stored one clears `verified` and sets
   * `safetyNumberChanged`; the result says whether that happened.
   */
  upsert(contact: ContactInput): { created: boolean; identityKeyChanged: boolean };
  get(accountId: string): Contact | null;
  list(): Contact[];
  /** Marks the current identity key verified (and acknowledges any change). */
  setVerified(accountId: string, verified: boolean): boolean;
  acknowledgeSafetyNumberChange(accountId: string): boolean;
}

interface ContactRow {
  account_id: string;
  display_name: string;
  profession: string | null;
  organisation: string | null;
  identity_key: Buffer;
  verified: number;
  safety_number_changed: number;
  updated_at: number;
}

function fromRow(row: ContactRow): Contact {
  return {
    accountId: row.account_id,
    displayName: row.display_name,
    profession: row.profession,
    organisation: row.organisation,
    identityKey: new Uint8Array(row.identity_key),
    verified: row.verified === 1,
    safetyNumberChanged: row.safety_number_changed === 1,
    updatedAt: row.updated_at,
  };
}

export function createContacts(db: Database, clock: Clock): Contacts {
  const get = db.prepare<[string], ContactRow>('SELECT * FROM contacts WHERE account_id = ?');
  const all = db.prepare<[], ContactRow>('SELECT * FROM contacts ORDER BY display_name COLLATE NOCASE, account_id');
  const insert = db.prepare(`
    INSERT INTO contacts (account_id, display_name, profession, organisation, identity_key, updated_at)
    VALUES (?, ?, ?, ?, ?, ?)`);
  const update = db.prepare(`
    UPDATE contacts SET display_name = ?, profession = ?, organisation = ?, identity_key = ?, updated_at = ?,
      verified = CASE WHEN ? THEN 0 ELSE verified END,
      safety_number_changed = CASE WHEN ? THEN 1 ELSE safety_number_changed END
    WHERE account_id = ?`);
  const verify = db.prepare('UPDATE contacts SET verified = ?, safety_number_changed = 0 WHERE account_id = ?');
  const acknowledge = db.prepare('UPDATE contacts SET safety_number_changed = 0 WHERE account_id = ?');

  const upsert = db.transaction((input: ContactInput) => {
    const c = zContactInput.parse(input);
    const now = clock.now();
    const existing = get.get(c.accountId);
    if (!existing) {
      insert.run(c.accountId, c.displayName, c.profession, c.organisation, c.identityKey, now);
      return { created: true, identityKeyChanged: false };
    }
    const changed = !constantTimeEqual(new Uint8Array(existing.identity_key), c.identityKey);
    const flag = changed ? 1 : 0;
    update.run(c.displayName, c.profession, c.organisation, c.identityKey, now, flag, flag, c.accountId);
    return { created: false, identityKeyChanged: changed };
  });

  return {
    upsert: (contact) => upsert(contact),
    get(accountId) {
      const row = get.get(accountId);
      return row ? fromRow(row) : null;
    },
    list: () => all.all().map(fromRow),
    setVerified: (accountId, verified) => verify.run(verified ? 1 : 0, accountId).changes === 1,
    acknowledgeSafetyNumberChange: (accountId) => acknowledge.run(accountId).changes === 1,
  };
}

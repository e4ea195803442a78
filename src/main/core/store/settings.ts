import type { Database } from 'better-sqlite3-multiple-ciphers';

/** Small key/value preferences; values are strings (callers encode structure themselves). */
export interface Settings {
  get(key: string): string | null;
  set(key: string, value: string): void;
  delete(key: string): boolean;
}

export function createSettings(db: Database): Settings {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const set = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const del = db.prepare('DELETE FROM settings WHERE key = ?');
  return {
    get: (key) => get.get(key)?.value ?? null,
    set: (key, value) => void set.run(key, value),
    delete: (key) => del.run(key).changes === 1,
  };
}

import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sweepExpired } from '../expiry/message-expiry';
import { MESSAGE_RETENTION_MS } from '../../../shared/limits';
import { createStoreFixture, messageId, type StoreFixture } from './store-fixture';

let fx: StoreFixture;
afterEach(() => fx.dispose());

const marker = (label: string) => `${label}${randomBytes(6).toString('hex')}`;

/** Every regular file under `dir` (bounded), optionally only those changed since `since`. */
function filesUnder(dir: string, since = 0, depth = 4): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out; // another process's private directory
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth > 0) out.push(...filesUnder(path, since, depth - 1));
    else if (entry.isFile()) {
      try {
        const st = statSync(path);
        if (st.mtimeMs >= since && st.size < 64 * 1024 * 1024) out.push(path);
      } catch {
        // vanished meanwhile
      }
    }
  }
  return out;
}

function filesContaining(files: string[], needles: string[]): string[] {
  const hits: string[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      continue;
    }
    for (const needle of needles) {
      if (bytes.includes(needle) || bytes.includes(Buffer.from(needle, 'utf16le'))) hits.push(`${file}: ${needle}`);
    }
  }
  return hits;
}

describe('no plaintext at rest', () => {
  it('leaves no message, name, attachment or search term in the database, WAL, SHM, account dir or OS temp dir', async () => {
    const started = Date.now() - 1000;
    fx = createStoreFixture();
    const body = marker('Bodyplant');
    const name = marker('Drnameplant');
    const organisation = marker('Orgplant');
    const fileName = `${marker('Fileplant')}.pdf`;
    const attachment = marker('Attachplant').repeat(2000);
    const term = marker('Searchplant');
    const { store } = fx;

    store.contacts.upsert({ accountId: 'peer', displayName: name, organisation, identityKey: new Uint8Array(32).fill(1) });
    const conversationId = store.conversations.ensureDirect('peer').id;
    const id = messageId();
    store.messages.insert({ id, conversationId, senderAccountId: 'peer', direction: 'in', body: `${body} ${term} ward round`, sentAt: fx.clock.now(), state: 'delivered' });
    // Enough messages that the FTS index and sorting do real work.
    for (let i = 0; i < 300; i++) {
      store.messages.insert({ id: messageId(), conversationId, senderAccountId: 'peer', direction: 'in', body: `${body} filler ${i}`, sentAt: fx.clock.now() + i, state: 'delivered' });
    }
    await store.attachments.add({ messageId: id, fileName, mimeType: 'application/pdf' }, [Buffer.from(attachment)]);
    expect(store.search.search(term)).toHaveLength(1);
    expect(store.search.search(term.slice(0, 14))).toHaveLength(1);
    expect(store.conversations.list()[0]!.lastMessage?.preview).toContain(body);

    // FTS keeps tokens lowercased: look for those too.
    const needles = [body, name, organisation, fileName, attachment.slice(0, 40), term].flatMap((s) => [s, s.toLowerCase()]);
    const accountFiles = () => filesUnder(store.paths.accountDir);
    // Control: the search itself finds a planted needle when it is there.
    const control = join(fx.dataDir, 'control.txt');
    writeFileSync(control, `x${body.toLowerCase()}x`);
    expect(filesContaining([control], needles)).toHaveLength(1);
    rmSync(control);

    // While open: the WAL holds the recent pages.
    expect(accountFiles().some((f) => f.endsWith('-wal'))).toBe(true);
    expect(filesContaining(accountFiles(), needles)).toEqual([]);

    // After expiry of everything and close: deleted content must not linger either.
    fx.clock.advance(MESSAGE_RETENTION_MS + 1000);
    await sweepExpired(store);
    expect(filesContaining(accountFiles(), needles)).toEqual([]);
    fx.reopen();
    fx.store.close();
    expect(filesContaining(accountFiles(), needles)).toEqual([]);
    expect(filesContaining(filesUnder(tmpdir(), started, 2), needles)).toEqual([]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SNIPPET_MATCH_END, SNIPPET_MATCH_START, toFtsQuery } from './message-search';
import { createStoreFixture, messageId, type StoreFixture } from './store-fixture';

let fx: StoreFixture;
let a: string;
let b: string;
beforeEach(() => {
  fx = createStoreFixture();
  a = fx.store.conversations.ensureDirect('peer-a').id;
  b = fx.store.conversations.ensureDirect('peer-b').id;
});
afterEach(() => fx.dispose());

function add(conversationId: string, body: string): string {
  const id = messageId();
  fx.store.messages.insert({ id, conversationId, senderAccountId: 'peer', direction: 'in', body, sentAt: fx.clock.now(), state: 'delivered' });
  return id;
}

describe('toFtsQuery', () => {
  it('quotes every term, doubles quotes, ANDs terms and makes the last a prefix', () => {
    expect(toFtsQuery('potassium level')).toBe('"potassium" "level"*');
    expect(toFtsQuery('say "hi"')).toBe('"say" """hi"""*');
    expect(toFtsQuery('   ')).toBeNull();
    expect(toFtsQuery('*** ( )')).toBeNull();
  });
});

describe('message search', () => {
  it('finds messages by term and by prefix of the last term, with conversation and snippet', () => {
    const id = add(a, 'Potassium level for the patient in bed 4 is elevated');
    add(b, 'Lunch at noon?');
    const hits = fx.store.search.search('potass');
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ messageId: id, conversationId: a });
    expect(hits[0]!.snippet).toContain(`${SNIPPET_MATCH_START}Potassium${SNIPPET_MATCH_END}`);
    expect(fx.store.search.search('bed elev').map((h) => h.messageId)).toEqual([id]);
    expect(fx.store.search.search('bed lunch')).toEqual([]);
  });

  it('ignores diacritics and case', () => {
    const id = add(a, 'Réanimation prévenue');
    expect(fx.store.search.search('REANIMATION').map((h) => h.messageId)).toEqual([id]);
  });

  it('lists the newest match first and can be limited to one conversation', () => {
    const older = add(a, 'sepsis sepsis sepsis');
    const newer = add(b, 'sepsis screening form updated, see other notes about many unrelated things today');
    const newest = add(a, 'repeat lactate, sepsis bundle started');
    expect(fx.store.search.search('sepsis').map((h) => h.messageId)).toEqual([newest, newer, older]);
    expect(fx.store.search.search('sepsis', { conversationId: a }).map((h) => h.messageId)).toEqual([newest, older]);
    expect(fx.store.search.search('sepsis', { limit: 1 }).map((h) => h.messageId)).toEqual([newest]);
  });

  it('never turns user input into an FTS syntax error', () => {
    add(a, 'ordinary text with AND OR NOT NEAR words');
    const hostile = ['"', '""', 'AND', 'OR NOT', 'NEAR(a b)', '*', 'a*b', '(', ')', '^start', 'body:text', "'", '-', '+x', '{a b}', 'a:b:c', '\\', '\u0000', 'é"*(', 'x'.repeat(5000), Array(100).fill('w').join(' ')];
    for (const input of hostile) expect(() => fx.store.search.search(input), input).not.toThrow();
    expect(fx.store.search.search('AND').length).toBe(1);
    expect(fx.store.search.search('NEAR(').length).toBe(1);
  });

  it('forgets deleted messages', async () => {
    const id = add(a, 'transient fibrillation note');
    expect(fx.store.search.search('fibrillation')).toHaveLength(1);
    await fx.store.deletion.delete([id]);
    expect(fx.store.search.search('fibrillation')).toEqual([]);
    expect(fx.store.db.prepare(`SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH 'fibrillation'`).get()).toEqual({ n: 0 });
  });
});

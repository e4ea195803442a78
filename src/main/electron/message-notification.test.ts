import { describe, expect, it } from 'vitest';
import type { Message, Settings } from '../../shared/api';
import { notificationFor } from './message-notification';
import { createFakeDesktopCore, FAKE_STATE } from './fake-desktop-core';
import { showMessageNotifications } from './notifications';

const message: Message = {
  id: 'm1',
  conversationId: 'c1',
  direction: 'in',
  senderAccountId: 'a1',
  senderName: 'Dr. Jansen',
  body: 'Patient in bed 12: please check potassium before the next dose',
  sentAt: 1,
  state: 'delivered',
  kept: false,
  attachments: [],
};
const settings = (s: Partial<Settings>): Settings => ({ ...FAKE_STATE.settings, ...s });

describe('notificationFor', () => {
  it('Private: only that a message arrived, in the chosen language', () => {
    expect(notificationFor(message, { phase: 'ready', settings: settings({ notifications: 'private' }) })).toEqual({ title: 'Wardline', body: 'New message' });
    expect(notificationFor(message, { phase: 'ready', settings: settings({ notifications: 'private', language: 'nl' }) })?.body).toBe('Nieuw bericht');
  });
  it('Convenient: sender and a shortened preview', () => {
    const long = { ...message, body: `${'x'.repeat(200)}\n\nend` };
    expect(notificationFor(message, { phase: 'ready', settings: settings({ notifications: 'convenient' }) })).toEqual({ title: 'Dr. Jansen', body: message.body });
    const text = notificationFor(long, { phase: 'ready', settings: settings({ notifications: 'convenient' }) });
    expect(Array.from(text!.body)).toHaveLength(80);
    expect(text!.body.endsWith('…')).toBe(true);
  });
  it('never leaks content while locked, and ignores own messages', () => {
    expect(notificationFor(message, { phase: 'locked', settings: settings({ notifications: 'convenient' }) })).toEqual({ title: 'Wardline', body: 'New message' });
    expect(notificationFor({ ...message, direction: 'out' }, { phase: 'ready', settings: settings({}) })).toBeUndefined();
  });
});

describe('showMessageNotifications', () => {
  it('follows the setting as state changes arrive', async () => {
    const core = createFakeDesktopCore();
    const shown: { title: string; body: string }[] = [];
    const clickHandlers: (() => void)[] = [];
    let focused = 0;
    const stop = await showMessageNotifications(
      core,
      (o) => ({ on: (_event, listener) => void clickHandlers.push(listener), show: () => void shown.push({ title: o.title, body: o.body }) }),
      () => focused++,
    );
    core.emit('message.added', message);
    core.emit('state.changed', { ...FAKE_STATE, settings: settings({ notifications: 'convenient' }) });
    core.emit('message.added', message);
    stop();
    core.emit('message.added', message);
    expect(shown).toEqual([
      { title: 'Wardline', body: 'New message' },
      { title: 'Dr. Jansen', body: message.body },
    ]);
    clickHandlers[0]!();
    expect(focused).toBe(1);
  });
});

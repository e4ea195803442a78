/**
 * Shows an OS notification for each incoming message (core event `message.added`), with the text
 * chosen by `notificationFor` from the latest app state. Clicking it brings the window forward.
 */
import type { AppState } from '../../shared/api';
import type { DesktopCore } from '../core/desktop-core';
import { notificationFor } from './message-notification';

export interface NotificationLike {
  on(event: 'click', listener: () => void): unknown;
  show(): void;
}
export type NotificationFactory = (options: { title: string; body: string; silent: boolean }) => NotificationLike;

export async function showMessageNotifications(core: DesktopCore, create: NotificationFactory, focusWindow: () => void): Promise<() => void> {
  let state: Pick<AppState, 'phase' | 'settings'> = await core.handlers['app.getState']({});
  return core.subscribe((name, payload) => {
    if (name === 'state.changed') {
      state = payload as AppState;
      return;
    }
    if (name !== 'message.added') return;
    const text = notificationFor(payload as Parameters<typeof notificationFor>[0], state);
    if (text === undefined) return;
    const notification = create({ ...text, silent: false });
    notification.on('click', focusWindow);
    notification.show();
  });
}

/**
 * What a desktop notification for an incoming message says, per the notifications setting:
 * Private shows only that a message arrived; Convenient shows the sender and a short preview.
 * While the app is locked or not ready, it is always Private: a locked screen must not leak.
 */
import type { AppState, Language, Message } from '../../shared/api';

const NEW_MESSAGE: Record<Language, string> = {
  en: 'New message',
  nl: 'Nieuw bericht',
  de: 'Neue Nachricht',
  fr: 'Nouveau message',
};

const PREVIEW_CHARS = 80;

export interface NotificationText {
  readonly title: string;
  readonly body: string;
}

export function notificationFor(message: Message, state: Pick<AppState, 'phase' | 'settings'>): NotificationText | undefined {
  if (message.direction !== 'in') return undefined;
  const { language, notifications } = state.settings;
  if (notifications === 'private' || state.phase !== 'ready') return { title: 'Wardline', body: NEW_MESSAGE[language] };
  const flat = message.body.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  const preview = chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS - 1).join('')}…` : flat;
  return { title: message.senderName, body: preview === '' ? NEW_MESSAGE[language] : preview };
}

/**
 * Every ward-safety limit in one place. Docs, the relay, the core and the UI read these;
 * nothing else may hard-code them.
 */
export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** A linked desktop's session ends this long after the phone authorised it. */
export const DESKTOP_SESSION_MS = 6 * HOUR_MS;
/** The session indicator warns this long before the end. */
export const SESSION_WARNING_MS = 10 * MINUTE_MS;
/** Content is hidden after this long without input. */
export const PRIVACY_SCREEN_IDLE_MS = 60 * SECOND_MS;
/** Messages (and their attachments) are deleted this long after they were sent unless kept. */
export const MESSAGE_RETENTION_MS = 30 * DAY_MS;
/** Queued envelopes at the relay expire after this long. */
export const RELAY_QUEUE_RETENTION_MS = 30 * DAY_MS;

export const PIN_LENGTH = 5;
/** Wrong PIN tries allowed before the first lockout. */
export const PIN_MAX_TRIES = 3;
export const PIN_FIRST_LOCKOUT_MS = 3 * MINUTE_MS;
/** Every further wrong try after the first lockout locks for this long. */
export const PIN_REPEAT_LOCKOUT_MS = 15 * MINUTE_MS;

/** A pairing offer (QR code) is replaced this often while the pairing screen is open. */
export const PAIRING_OFFER_ROTATION_MS = 45 * SECOND_MS;
/** A rendezvous channel at the relay lives at most this long. */
export const RENDEZVOUS_TTL_MS = 2 * MINUTE_MS;

/** Kiosk mode logs out (and wipes) after this much idle time unless configured otherwise. */
export const KIOSK_IDLE_LOGOUT_MS = 15 * MINUTE_MS;

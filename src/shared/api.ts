/**
 * The renderer ⇄ core contract: every method and event the UI may use, each with a schema.
 * Both transports (Electron IPC via the preload, and the loopback web host used by tests and
 * demos) are driven by this one table and validate at the boundary, so they cannot drift.
 *
 * Adding a feature = one entry here + one core handler + UI.
 */
import { z } from 'zod';
import { ATTACHMENT_API_MAX_BYTES, DIRECTORY_QUERY_MAX_CHARS, DIRECTORY_QUERY_MIN_CHARS, MESSAGE_TEXT_MAX_CHARS } from './limits';

// ---------------------------------------------------------------------------------------------
// Shared value schemas

const zId = z.string().min(1).max(128);
const zTimestamp = z.number().int().nonnegative();

export const zVerification = z.object({
  /** The account's identity was verified by the verification authority. */
  identity: z.boolean(),
  /** A medical registration (e.g. BIG, RIZIV/INAMI) was verified. */
  registration: z.boolean(),
});
export type Verification = z.infer<typeof zVerification>;

export const LANGUAGES = ['en', 'nl', 'de', 'fr'] as const;
export const zLanguage = z.enum(LANGUAGES);
export type Language = z.infer<typeof zLanguage>;

export const NOTIFICATION_MODES = ['private', 'convenient'] as const;
export const PRIVACY_REVEAL_MODES = ['click', 'pin'] as const;

export const zSettings = z.object({
  language: zLanguage,
  /** private: only "a message arrived"; convenient: sender and preview. */
  notifications: z.enum(NOTIFICATION_MODES),
  /** How the privacy screen is dismissed: one click, or the PIN. */
  privacyReveal: z.enum(PRIVACY_REVEAL_MODES),
});
export type Settings = z.infer<typeof zSettings>;

export const APP_PHASES = ['starting', 'pairing', 'locked', 'ready', 'error'] as const;

export const zAppState = z.object({
  /**
   * starting: core is opening; pairing: no usable session (show QR); locked: paired but the PIN
   * is required; ready: normal use; error: a fatal problem (e.g. bad managed config) with a code.
   */
  phase: z.enum(APP_PHASES),
  errorCode: z.string().optional(),
  workstationName: z.string(),
  kiosk: z.boolean(),
  relayConnected: z.boolean(),
  account: z
    .object({
      accountId: zId,
      displayName: z.string(),
      profession: z.string().optional(),
      verification: zVerification,
    })
    .optional(),
  session: z
    .object({
      authorisedAt: zTimestamp,
      endsAt: zTimestamp,
    })
    .optional(),
  lock: z.object({
    hasPin: z.boolean(),
    /** While locked out, the time the next try is allowed. */
    lockedOutUntil: zTimestamp.optional(),
    triesLeft: z.number().int().nonnegative(),
  }),
  settings: zSettings,
  /** What the managed configuration fixed for this workstation (docs/deployment.md). */
  policy: z
    .object({
      allowedLanguages: z.array(zLanguage).min(1),
      privacyScreenMs: z.number().int().positive(),
      kioskIdleLogoutMs: z.number().int().positive(),
    })
    .optional(),
});
export type AppState = z.infer<typeof zAppState>;

export const zPairingOffer = z.object({
  /** The wardline:// URL the QR code encodes. */
  url: z.string().max(2048),
  /** When the renderer should expect a replacement offer. */
  expiresAt: zTimestamp,
});
export type PairingOffer = z.infer<typeof zPairingOffer>;

export const zPairingProgress = z.object({
  step: z.enum(['waiting', 'phone-connected', 'confirming', 'completed', 'failed']),
  /** Short code shown on both screens so the user can compare it (confirming step). */
  confirmationCode: z.string().optional(),
  errorCode: z.string().optional(),
});
export type PairingProgress = z.infer<typeof zPairingProgress>;

export const MESSAGE_STATES = ['sending', 'sent', 'delivered', 'read', 'failed'] as const;

export const zAttachmentSummary = z.object({
  id: zId,
  kind: z.enum(['image', 'pdf', 'file']),
  size: z.number().int().nonnegative(),
});

export const zMessage = z.object({
  id: zId,
  conversationId: zId,
  direction: z.enum(['in', 'out']),
  senderAccountId: zId,
  senderName: z.string(),
  body: z.string(),
  sentAt: zTimestamp,
  state: z.enum(MESSAGE_STATES),
  kept: z.boolean(),
  /** When this message will be deleted by the 30-day rule; absent while kept. */
  expiresAt: zTimestamp.optional(),
  attachments: z.array(zAttachmentSummary).default([]),
});
export type Message = z.infer<typeof zMessage>;

/** Attachment bytes cross the API as standard base64 (JSON transports); the core decodes and checks them. */
const zAttachmentData = z.base64().max(Math.ceil(ATTACHMENT_API_MAX_BYTES / 3) * 4);
/** One item of the "Photos and files" library (docs/attachments.md). */
export const zMediaItem = z.object({
  id: zId,
  messageId: zId,
  conversationId: zId,
  kind: z.enum(['image', 'pdf', 'file']),
  fileName: z.string(),
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
  direction: z.enum(['in', 'out']),
  sentAt: zTimestamp,
});
export type MediaItem = z.infer<typeof zMediaItem>;
export const zAttachmentFile = zMediaItem.extend({ data: z.base64() });
export type AttachmentFile = z.infer<typeof zAttachmentFile>;

export const zConversationSummary = z.object({
  id: zId,
  title: z.string(),
  peerAccountId: zId,
  verification: zVerification,
  /** A contact's identity key changed and the user has not acknowledged the new safety number. */
  safetyNumberChanged: z.boolean(),
  unread: z.number().int().nonnegative(),
  lastMessage: z
    .object({ preview: z.string(), at: zTimestamp, direction: z.enum(['in', 'out']) })
    .optional(),
  updatedAt: zTimestamp,
});
export type ConversationSummary = z.infer<typeof zConversationSummary>;

export const zContact = z.object({
  accountId: zId,
  displayName: z.string(),
  profession: z.string().optional(),
  organisation: z.string().optional(),
  verification: zVerification,
});
export type Contact = z.infer<typeof zContact>;

/** A directory entry: from an authority-signed attestation the core verified (or a known contact). */
export const zDirectoryEntry = z.object({
  accountId: zId,
  displayName: z.string(),
  profession: z.string().optional(),
  organisation: z.string().optional(),
  city: z.string().optional(),
  verification: zVerification,
});
export type DirectoryEntry = z.infer<typeof zDirectoryEntry>;
/** directory: the relay's full directory (the user is verified); contacts: only contacts already known. */
export const DIRECTORY_SCOPES = ['directory', 'contacts'] as const;

export const zSearchHit = z.object({
  messageId: zId,
  conversationId: zId,
  conversationTitle: z.string(),
  /** Plain text with the matched terms between U+0002 and U+0003 markers; never HTML. */
  snippet: z.string(),
  sentAt: zTimestamp,
});
export type SearchHit = z.infer<typeof zSearchHit>;

// A plain union: two variants share `ok: false`, which z.discriminatedUnion refuses at parse time.
export const zUnlockResult = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), code: z.literal('WRONG_PIN'), triesLeft: z.number().int().nonnegative() }),
  z.object({ ok: z.literal(false), code: z.literal('LOCKED_OUT'), until: zTimestamp }),
]);
export type UnlockResult = z.infer<typeof zUnlockResult>;

const zPin = z.string().regex(/^\d+$/).max(16);
const zNothing = z.object({}).strict();

/** The Security key screen: the Backup & Restore code in groups, when the phone shared one at pairing. */
export const zSecurityKey = z.object({
  available: z.boolean(),
  groups: z.array(z.string().regex(/^[0-9A-Z]{1,4}$/)).max(8),
  /** False in kiosk mode: the code may be shown or printed there, never saved to a shared machine. */
  downloadAllowed: z.boolean(),
});
export type SecurityKey = z.infer<typeof zSecurityKey>;

// ---------------------------------------------------------------------------------------------
// Methods

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const apiMethods = {
  'app.getState': method(zNothing, zAppState),

  'pairing.start': method(zNothing, zPairingOffer),
  'pairing.cancel': method(zNothing, z.null()),

  'conversations.list': method(zNothing, z.array(zConversationSummary)),
  'conversations.start': method(z.object({ accountId: zId }).strict(), zConversationSummary),
  'conversations.markRead': method(z.object({ conversationId: zId }).strict(), z.null()),
  'conversations.acknowledgeSafetyNumber': method(z.object({ conversationId: zId }).strict(), z.null()),

  'messages.page': method(
    z.object({ conversationId: zId, before: z.string().max(128).optional(), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    z.object({ messages: z.array(zMessage), nextCursor: z.string().optional() }),
  ),
  'messages.send': method(z.object({ conversationId: zId, text: z.string().min(1).max(65_536) }).strict(), zMessage),
  'messages.keep': method(z.object({ messageId: zId, kept: z.boolean() }).strict(), zMessage),
  'messages.search': method(z.object({ query: z.string().max(256) }).strict(), z.array(zSearchHit)),
  /** Bytes the renderer produced (editor output, camera, picked file); images lose their metadata in the core. */
  'messages.sendAttachment': method(
    z
      .object({
        conversationId: zId,
        fileName: z.string().min(1).max(255),
        mimeType: z.string().min(3).max(191),
        data: zAttachmentData,
        caption: z.string().min(1).max(MESSAGE_TEXT_MAX_CHARS).optional(),
      })
      .strict(),
    zMessage,
  ),
  /** The decrypted file from the encrypted store, for in-app viewing (never written to disk in the clear). */
  'attachments.get': method(z.object({ attachmentId: zId }).strict(), zAttachmentFile),
  /** The media library, newest first: one conversation, or all of them. */
  'attachments.list': method(z.object({ conversationId: zId.optional() }).strict(), z.array(zMediaItem)),

  'contacts.list': method(zNothing, z.array(zContact)),
  'directory.search': method(
    z.object({ query: z.string().trim().min(DIRECTORY_QUERY_MIN_CHARS).max(DIRECTORY_QUERY_MAX_CHARS) }).strict(),
    z.object({ scope: z.enum(DIRECTORY_SCOPES), results: z.array(zDirectoryEntry) }),
  ),

  'lock.setPin': method(z.object({ pin: zPin, currentPin: zPin.optional() }).strict(), z.null()),
  'lock.unlock': method(z.object({ pin: zPin }).strict(), zUnlockResult),
  'lock.lockNow': method(zNothing, z.null()),

  'settings.update': method(zSettings.partial().strict(), zSettings),

  /** Asks for the PIN again (a wrong one counts toward the lockout). */
  'security.getKey': method(z.object({ pin: zPin }).strict(), zSecurityKey),

  'session.logout': method(zNothing, z.null()),
  'session.logoutAndWipe': method(zNothing, z.null()),
  /** Someone is at the screen (kiosk idle log-out); the renderer sends this at most every IDLE_ACTIVITY_REPORT_MS. */
  'session.activity': method(zNothing, z.null()),
} as const;

export type ApiMethodName = keyof typeof apiMethods;
/** What the renderer passes (defaults may be omitted). */
export type ApiInput<M extends ApiMethodName> = z.input<(typeof apiMethods)[M]['input']>;
/** What the core handler receives after validation. */
export type ApiParsedInput<M extends ApiMethodName> = z.output<(typeof apiMethods)[M]['input']>;
export type ApiOutput<M extends ApiMethodName> = z.output<(typeof apiMethods)[M]['output']>;

// ---------------------------------------------------------------------------------------------
// Events (core → renderer)

export const apiEvents = {
  'state.changed': zAppState,
  'pairing.offer': zPairingOffer,
  'pairing.progress': zPairingProgress,
  'conversations.changed': z.null(),
  'message.added': zMessage,
  'message.updated': zMessage,
  /** Upload or download progress of an attachment, in ciphertext bytes. */
  'attachment.progress': z.object({ messageId: zId, direction: z.enum(['upload', 'download']), done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }),
  /** The 6-hour session ends soon (SESSION_WARNING_MS before endsAt). */
  'session.warning': z.object({ endsAt: zTimestamp }),
  /** Kiosk: the idle log-out (with wipe) happens at `logoutAt` unless there is input; null: countdown cancelled. */
  'session.idleLogout': z.object({ logoutAt: zTimestamp.nullable() }),
} as const;

export type ApiEventName = keyof typeof apiEvents;
export type ApiEventPayload<E extends ApiEventName> = z.output<(typeof apiEvents)[E]>;

// ---------------------------------------------------------------------------------------------
// Results and errors

/** Stable error codes the UI translates; never content. */
export const API_ERROR_CODES = [
  'INVALID_INPUT',
  'UNKNOWN_METHOD',
  'FORBIDDEN_SENDER',
  'NOT_PAIRED',
  'LOCKED',
  'PIN_POLICY',
  'WRONG_PIN',
  'LOCKED_OUT',
  'NOT_FOUND',
  'RELAY_UNAVAILABLE',
  'SESSION_EXPIRED',
  /** A contact's identity key changed; sending is refused until the user acknowledges the new safety number. */
  'SAFETY_NUMBER_CHANGED',
  'INTERNAL',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiError {
  readonly code: ApiErrorCode;
  /** Developer detail: a code or a rule name; never message content. */
  readonly detail?: string;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** What `window.wardline` is in the renderer, whichever transport serves it. */
export interface WardlineBridge {
  call<M extends ApiMethodName>(method: M, input: ApiInput<M>): Promise<ApiResult<ApiOutput<M>>>;
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEventPayload<E>) => void): () => void;
}

/** What the core implements: one handler per method, called with validated input. */
export type ApiHandlers = {
  [M in ApiMethodName]: (input: ApiParsedInput<M>) => Promise<ApiOutput<M>>;
};

/** How the core publishes events; transports subscribe to this. */
export type ApiEventSink = <E extends ApiEventName>(event: E, payload: ApiEventPayload<E>) => void;

export const API_METHOD_NAMES = Object.keys(apiMethods) as ApiMethodName[];
export const API_EVENT_NAMES = Object.keys(apiEvents) as ApiEventName[];

export function isApiMethodName(value: unknown): value is ApiMethodName {
  return typeof value === 'string' && Object.hasOwn(apiMethods, value);
}

export function isApiEventName(value: unknown): value is ApiEventName {
  return typeof value === 'string' && Object.hasOwn(apiEvents, value);
}

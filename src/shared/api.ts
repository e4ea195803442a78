/**
 * The renderer ⇄ core contract: every method and event the UI may use, each with a schema.
 * Both transports (Electron IPC via the preload, and the loopback web host used by tests and
 * demos) are driven by this one table and validate at the boundary, so they cannot drift.
 *
 * Adding a feature = one entry here + one core handler + UI.
 */
import { z } from 'zod';
import {
  ATTACHMENT_API_MAX_BYTES,
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_UPLOAD_CHUNK_BYTES,
  BROADCAST_MAX_MEMBERS,
  DIRECTORY_QUERY_MAX_CHARS,
  DIRECTORY_QUERY_MIN_CHARS,
  GROUP_DESCRIPTION_MAX_CHARS,
  GROUP_JOIN_NOTE_MAX_CHARS,
  GROUP_NAME_MAX_CHARS,
  GROUP_PICTURE_MAX_BYTES,
  MESSAGE_TEXT_MAX_CHARS,
} from './limits';

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
  /**
   * Why the last session ended when the user must pair again for a reason other than their own
   * log-out or the 6-hour end: DEVICE_REMOVED = the account's phone removed this desktop (revoked,
   * or the account was restored on a new phone); `wiped` = the phone's signed order erased this
   * account's data here. Cleared by the next pairing.
   */
  ended: z.object({ reason: z.enum(['DEVICE_REMOVED']), wiped: z.boolean() }).optional(),
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
  /** In group conversations: the sender's badges, shown next to the name. */
  senderVerification: zVerification.optional(),
});
export type Message = z.infer<typeof zMessage>;

/** Attachment bytes cross the API as standard base64 (JSON transports); the core decodes and checks them. */
const zAttachmentData = z.base64().max(Math.ceil(ATTACHMENT_API_MAX_BYTES / 3) * 4);
/** One chunk of a chunked upload: 1..ATTACHMENT_UPLOAD_CHUNK_BYTES bytes as base64. */
const zUploadChunkData = z.base64().min(4).max(Math.ceil(ATTACHMENT_UPLOAD_CHUNK_BYTES / 3) * 4);
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
/** An attachment transfer that failed (retryable: a Retry can help), is being retried, or went through. */
export const zAttachmentTransfer = z.object({
  messageId: zId,
  direction: z.enum(['upload', 'download']),
  state: z.enum(['failed', 'retrying', 'done']),
  retryable: z.boolean(),
});
export type AttachmentTransfer = z.infer<typeof zAttachmentTransfer>;
export type AttachmentFile = z.infer<typeof zAttachmentFile>;

export const CONVERSATION_KINDS = ['direct', 'group', 'broadcast'] as const;
export const GROUP_KINDS = ['group', 'broadcast'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];
export const GROUP_ROLES = ['admin', 'moderator', 'member'] as const;
export type GroupRole = (typeof GROUP_ROLES)[number];

/** A system line in a conversation: "<name> is using a new phone" (docs/protocol.md §16). */
export const zDeviceNotice = z.object({ id: zId, kind: z.enum(['new-phone']), at: zTimestamp });
export type DeviceNotice = z.infer<typeof zDeviceNotice>;

export const zConversationSummary = z.object({
  id: zId,
  title: z.string(),
  /** The other account of a 1:1 chat; '' for a group or broadcast list. */
  peerAccountId: zId.or(z.literal('')),
  verification: zVerification,
  /** A contact's identity key changed and the user has not acknowledged the new safety number. */
  safetyNumberChanged: z.boolean(),
  /** System lines shown in the conversation, oldest first (not a safety-number change). */
  deviceNotices: z.array(zDeviceNotice).optional(),
  unread: z.number().int().nonnegative(),
  lastMessage: z
    .object({ preview: z.string(), at: zTimestamp, direction: z.enum(['in', 'out']) })
    .optional(),
  updatedAt: zTimestamp,
  /** Absent for a 1:1 chat (older cores). */
  kind: z.enum(CONVERSATION_KINDS).optional(),
  /** Groups and broadcast lists: our role (null once removed) and whether we may post. */
  group: z
    .object({ groupId: zId, role: z.enum(GROUP_ROLES).nullable(), memberCount: z.number().int().nonnegative(), readOnly: z.boolean() })
    .optional(),
});
export type ConversationSummary = z.infer<typeof zConversationSummary>;

export const zGroupMember = z.object({
  accountId: zId,
  displayName: z.string(),
  role: z.enum(GROUP_ROLES),
  verification: zVerification,
  self: z.boolean(),
});
export type GroupMember = z.infer<typeof zGroupMember>;

/** Someone asked to join a discoverable group; moderators and admins answer. */
export const zGroupJoinRequest = z.object({
  groupId: zId,
  groupName: z.string(),
  accountId: zId,
  displayName: z.string(),
  note: z.string().optional(),
  verification: zVerification,
  receivedAt: zTimestamp,
});
export type GroupJoinRequest = z.infer<typeof zGroupJoinRequest>;

export const zGroupInfo = z.object({
  groupId: zId,
  conversationId: zId,
  kind: z.enum(GROUP_KINDS),
  name: z.string(),
  description: z.string().optional(),
  discoverable: z.boolean(),
  version: z.number().int().positive(),
  /** Our role; null once a change removed us (or we left). */
  myRole: z.enum(GROUP_ROLES).nullable(),
  /** Members as this device knows them; a broadcast recipient knows only the admins and itself. */
  members: z.array(zGroupMember),
  joinRequests: z.array(zGroupJoinRequest),
});
export type GroupInfo = z.infer<typeof zGroupInfo>;

/** A discoverable group from the relay's listing, with a signature the core checked. */
export const zDiscoverableGroup = z.object({
  groupId: zId,
  name: z.string(),
  description: z.string().optional(),
  /** We are already a member. */
  member: z.boolean(),
});
export type DiscoverableGroup = z.infer<typeof zDiscoverableGroup>;

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
  /**
   * Chunked upload for files up to ATTACHMENT_MAX_BYTES (docs/attachments.md): begin, then chunks
   * 0, 1, 2… in order (each ATTACHMENT_UPLOAD_CHUNK_BYTES but the last), then commit → the message.
   */
  'attachments.beginUpload': method(
    z
      .object({
        conversationId: zId,
        fileName: z.string().min(1).max(255),
        mimeType: z.string().min(3).max(191),
        size: z.number().int().nonnegative().max(ATTACHMENT_MAX_BYTES),
      })
      .strict(),
    z.object({ uploadId: zId, chunkBytes: z.number().int().positive() }),
  ),
  'attachments.uploadChunk': method(
    z.object({ uploadId: zId, index: z.number().int().nonnegative().max(ATTACHMENT_MAX_BYTES / ATTACHMENT_UPLOAD_CHUNK_BYTES), data: zUploadChunkData }).strict(),
    z.object({ received: z.number().int().nonnegative() }),
  ),
  'attachments.commitUpload': method(z.object({ uploadId: zId, caption: z.string().min(1).max(MESSAGE_TEXT_MAX_CHARS).optional() }).strict(), zMessage),
  'attachments.abortUpload': method(z.object({ uploadId: zId }).strict(), z.null()),
  /** Tries a failed attachment transfer again (an outgoing upload, or an incoming download). */
  'attachments.retry': method(z.object({ messageId: zId }).strict(), z.null()),
  /** Transfers whose last attempt failed, for the "not sent / not received" marks after a reload. */
  'attachments.failures': method(zNothing, z.array(zAttachmentTransfer)),

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

  /** Groups and broadcast lists (docs/trust-and-groups.md): every change is signed by this device and checked by every member. */
  'groups.create': method(
    z
      .object({
        kind: z.enum(GROUP_KINDS),
        name: z.string().trim().min(1).max(GROUP_NAME_MAX_CHARS),
        memberAccountIds: z.array(zId).max(BROADCAST_MAX_MEMBERS),
      })
      .strict(),
    zGroupInfo,
  ),
  'groups.get': method(z.object({ conversationId: zId }).strict(), zGroupInfo),
  'groups.addMembers': method(z.object({ groupId: zId, accountIds: z.array(zId).min(1).max(BROADCAST_MAX_MEMBERS) }).strict(), zGroupInfo),
  'groups.removeMember': method(z.object({ groupId: zId, accountId: zId }).strict(), zGroupInfo),
  'groups.setRole': method(z.object({ groupId: zId, accountId: zId, role: z.enum(GROUP_ROLES) }).strict(), zGroupInfo),
  'groups.rename': method(z.object({ groupId: zId, name: z.string().trim().min(1).max(GROUP_NAME_MAX_CHARS) }).strict(), zGroupInfo),
  /** JPEG or PNG as base64, or null to remove the picture. */
  'groups.setPicture': method(z.object({ groupId: zId, data: z.base64().max(Math.ceil(GROUP_PICTURE_MAX_BYTES / 3) * 4).nullable() }).strict(), zGroupInfo),
  /** The last admin names a successor (made admin first). */
  'groups.leave': method(z.object({ groupId: zId, successorAccountId: zId.optional() }).strict(), z.null()),
  'groups.setDiscoverable': method(
    z.object({ groupId: zId, discoverable: z.boolean(), description: z.string().trim().max(GROUP_DESCRIPTION_MAX_CHARS).optional() }).strict(),
    zGroupInfo,
  ),
  /** Verified users only: the relay refuses others (NOT_VERIFIED). */
  'groups.searchDiscoverable': method(
    z.object({ query: z.string().trim().min(DIRECTORY_QUERY_MIN_CHARS).max(DIRECTORY_QUERY_MAX_CHARS) }).strict(),
    z.array(zDiscoverableGroup),
  ),
  'groups.requestJoin': method(z.object({ groupId: zId, note: z.string().trim().max(GROUP_JOIN_NOTE_MAX_CHARS).optional() }).strict(), z.null()),
  /** Approving adds the member by a signed change; denying only drops the request here. */
  'groups.answerJoinRequest': method(z.object({ groupId: zId, accountId: zId, approve: z.boolean() }).strict(), zGroupInfo),
  /** Open join requests of every group where we are a moderator or admin. */
  'groups.joinRequests': method(zNothing, z.array(zGroupJoinRequest)),

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
  /** A group's verified state or its join requests changed. */
  'groups.changed': z.object({ groupId: zId, conversationId: zId }),
  /** Upload or download progress of an attachment, in ciphertext bytes. */
  'attachment.progress': z.object({ messageId: zId, direction: z.enum(['upload', 'download']), done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }),
  /** An attachment transfer failed, is being retried, or went through after a failure. */
  'attachment.transfer': zAttachmentTransfer,
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
  /** Groups: the action is not allowed for our role (or we are no longer a member). */
  'GROUP_NOT_ALLOWED',
  /** Groups: the member limit would be exceeded. */
  'GROUP_TOO_MANY_MEMBERS',
  /** The relay refuses this to an account without a verification attestation (discoverable groups). */
  'NOT_VERIFIED',
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

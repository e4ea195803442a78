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
/** The range a managed configuration may set the kiosk idle log-out to. */
export const KIOSK_IDLE_LOGOUT_MIN_MS = 2 * MINUTE_MS;
export const KIOSK_IDLE_LOGOUT_MAX_MS = 60 * MINUTE_MS;
/** The kiosk shows a log-out countdown this long before the idle log-out. */
export const KIOSK_LOGOUT_COUNTDOWN_MS = 60 * SECOND_MS;
/** The renderer reports user activity to the core at most this often... */
export const IDLE_ACTIVITY_REPORT_MS = 5 * SECOND_MS;
/** ...and the core ignores reports closer together than this (a misbehaving page cannot flood it). */
export const IDLE_ACTIVITY_MIN_INTERVAL_MS = 1 * SECOND_MS;
/** A managed configuration may shorten the privacy screen delay to this, never lengthen it past PRIVACY_SCREEN_IDLE_MS. */
export const PRIVACY_SCREEN_MIN_IDLE_MS = 10 * SECOND_MS;

// --- End-to-end protocol (src/shared/protocol/, docs/protocol.md) ---
/** Most message keys one incoming message may make the receiver skip in a chain. */
export const RATCHET_MAX_SKIP_PER_CHAIN = 1000;
/** Most skipped message keys a session keeps in total; the oldest are dropped beyond this. */
export const RATCHET_MAX_SKIPPED_KEYS = 2000;
/** Earlier receiving chains remembered per session, so a replay into one reads as REPLAY. */
export const RATCHET_MAX_PREVIOUS_CHAINS = 16;
/** Processed envelope ids remembered per device (each only until its envelope expires). */
export const SEEN_ENVELOPE_IDS_MAX = 100_000;
/** One-time prekeys a device publishes per batch. */
export const ONE_TIME_PREKEY_BATCH = 100;
/** Earlier sessions kept per remote device (after a re-initiation), so crossed first messages still decrypt. */
export const SESSION_ARCHIVED_STATES = 3;
/** A device replaces its signed prekey this often... */
export const SIGNED_PREKEY_ROTATION_MS = 7 * DAY_MS;
/** ...and keeps the replaced one's secret this long, for initiations already in flight. */
export const SIGNED_PREKEY_GRACE_MS = RELAY_QUEUE_RETENTION_MS;

// --- Relay limits (server/, src/shared/wire/) ---
/** Largest WebSocket frame the relay accepts: one maximal sealed envelope plus framing. */
export const RELAY_MAX_FRAME_BYTES = 256 * 1024 + 4 * 1024;
/** Envelopes queued for one device before the relay refuses more with QUEUE_FULL. */
export const RELAY_QUEUE_MAX_ENVELOPES = 100_000;
/** A connection that neither authenticates nor holds a rendezvous channel is closed after this. */
export const RELAY_AUTH_TIMEOUT_MS = 10 * SECOND_MS;
/** Per-connection token bucket: sustained frames per second and burst. */
export const RELAY_RATE_PER_SECOND = 500;
export const RELAY_RATE_BURST = 1000;
/** Envelope ids one `ack` frame may carry; equal to the relay's per-connection delivery window. */
export const RELAY_ACK_BATCH_MAX = 256;
/**
 * How long the relay holds an envelope for an online recipient in memory only: acked within it,
 * the envelope never touches the disk; otherwise it is written (and its sender told 'stored').
 */
export const RELAY_ONLINE_GRACE_MS = 50;
/** Under load acks come later; the grace period follows them (4 × the recent ack delay) up to this. */
export const RELAY_ONLINE_GRACE_MAX_MS = 1000;
/** Largest signed prekey, attestation and rendezvous message the relay stores or forwards. */
export const RELAY_MAX_SIGNED_PREKEY_BYTES = 1024;
export const RELAY_MAX_ATTESTATION_BYTES = 16 * 1024;
export const RELAY_MAX_ATTESTATIONS_PER_ACCOUNT = 256;
export const RELAY_MAX_ONE_TIME_PREKEYS_PER_DEVICE = 1000;
export const RENDEZVOUS_MAX_MESSAGE_BYTES = 16 * 1024;
/** Messages one rendezvous channel forwards in total (both directions). */
export const RENDEZVOUS_MAX_MESSAGES = 32;
/** Rendezvous channels one client address may open per minute. */
export const RENDEZVOUS_OPENS_PER_MINUTE = 20;
/**
 * New accounts (a first device list for an account the relay does not know) one client address
 * may create: a burst, then a sustained rate per hour. Sized for a hospital behind one NAT
 * address onboarding a whole ward at once, while one machine can no longer fill the directory
 * with junk accounts. Updates to existing accounts are not counted. Relay options:
 * --new-accounts-burst, --new-accounts-per-hour.
 */
export const RELAY_NEW_ACCOUNTS_BURST = 60;
export const RELAY_NEW_ACCOUNTS_PER_HOUR = 300;
/** Client addresses a per-address limit remembers at once (least recently used forgotten beyond). */
export const RELAY_ADDRESS_BUCKETS_MAX = 100_000;

// --- Pairing and message content (src/shared/protocol/pairing*.ts, src/shared/messages/) ---
/** A pairing offer (QR code) is refused once it is this old; a bit longer than the rotation, for a scan at the last moment. */
export const PAIRING_OFFER_TTL_MS = 60 * SECOND_MS;
/** How long the phone user has to compare the code and approve before the pairing is abandoned. */
export const PAIRING_APPROVAL_TIMEOUT_MS = 60 * SECOND_MS;
/** How long either side waits for the peer's next handshake frame (other than the approval). */
export const PAIRING_STEP_TIMEOUT_MS = 20 * SECOND_MS;
/** Largest encoded snapshot of recent conversations the phone hands to a newly linked desktop. */
export const PAIRING_SNAPSHOT_MAX_BYTES = 192 * 1024;
/** Most messages in that snapshot (the newest are kept). */
export const PAIRING_SNAPSHOT_MAX_MESSAGES = 500;
/** Part of the pairing snapshot's byte bound the phone spends on group states, before recent messages (groups first: they make the desktop able to send). */
export const PAIRING_SNAPSHOT_GROUPS_MAX_BYTES = 128 * 1024;
/** Most group states in a pairing snapshot. */
export const PAIRING_SNAPSHOT_MAX_GROUPS = 200;
/** Longest text message body, in UTF-16 code units. */
export const MESSAGE_TEXT_MAX_CHARS = 16_000;
/** Most message ids one receipt may acknowledge. */
export const RECEIPT_MAX_IDS = 500;
/** Longest display name and profession in a profile. */
export const PROFILE_FIELD_MAX_CHARS = 100;

// --- Desktop store, expiry and lock (src/main/core/store, expiry, lock) ---
/** The expiry sweep runs at start-up and then this often. */
export const EXPIRY_SWEEP_INTERVAL_MS = 15 * MINUTE_MS;
/** Messages deleted per transaction by the expiry sweep, so the UI never waits on one long write. */
export const EXPIRY_SWEEP_BATCH = 500;

// --- Attachments and the relay blob store (src/shared/attachments/, server/blob-*.ts, docs/attachments.md) ---
/** Largest attachment (plaintext bytes) a device sends or accepts. */
export const ATTACHMENT_MAX_BYTES = 100 * 1024 * 1024;
/** Plaintext bytes per AEAD chunk of an attachment: the most any step holds in memory. */
export const ATTACHMENT_CHUNK_BYTES = 64 * 1024;
/** Largest blob the relay stores: a maximal attachment plus its header and per-chunk tags. */
export const RELAY_BLOB_MAX_BYTES = ATTACHMENT_MAX_BYTES + 16 + 16 * (ATTACHMENT_MAX_BYTES / ATTACHMENT_CHUNK_BYTES + 1);
/** Ciphertext bytes per blob upload or download frame (fits RELAY_MAX_FRAME_BYTES with framing). */
export const RELAY_BLOB_TRANSFER_BYTES = 128 * 1024;
/** Blobs expire at the relay like queued envelopes: this long after the upload began. */
export const RELAY_BLOB_RETENTION_MS = RELAY_QUEUE_RETENTION_MS;
/** Bytes of unexpired blobs one device may hold at the relay (reserved at create time). */
export const RELAY_BLOB_QUOTA_BYTES_PER_DEVICE = 2 * 1024 * 1024 * 1024;
/** Largest file the renderer hands to the core in one API call (pictures and documents; base64 in JSON). */
export const ATTACHMENT_API_MAX_BYTES = 25 * 1024 * 1024;
/** Plaintext bytes per `attachments.uploadChunk` call (every chunk but the last is exactly this). */
export const ATTACHMENT_UPLOAD_CHUNK_BYTES = 1024 * 1024;
/** A chunked upload with no call for this long is abandoned: its encrypted spool file is deleted. */
export const ATTACHMENT_UPLOAD_IDLE_MS = 5 * MINUTE_MS;
/** Chunked uploads one session may have open at once. */
export const ATTACHMENT_UPLOADS_MAX = 4;
/** Largest picture accepted: metadata stripping needs the whole image in memory. */
export const ATTACHMENT_IMAGE_MAX_BYTES = ATTACHMENT_API_MAX_BYTES;
/** Failed reads at one offset before an interrupted attachment download stops resuming (and starts over later). */
export const ATTACHMENT_DOWNLOAD_RESUME_TRIES = 3;

// --- Backup & Restore (src/shared/backup/, server/backup-*.ts, docs/protocol.md §16) ---
/** Plaintext bytes per encrypted backup chunk (one chunk per relay frame). */
export const BACKUP_CHUNK_BYTES = 64 * 1024;
/** Most chunks one backup may have (16 MiB of snapshot). */
export const BACKUP_MAX_CHUNKS = 256;
/** The phone replaces its backup when its content changes, and at least this often. */
export const BACKUP_INTERVAL_MS = DAY_MS;
/** How often the phone's automatic backup asks whether a backup is due (content changes upload sooner). */
export const BACKUP_CHECK_INTERVAL_MS = HOUR_MS;
/** Quiet time after the last change (kept message, contact) before the automatic backup uploads. */
export const BACKUP_CHANGE_DEBOUNCE_MS = 30 * SECOND_MS;
/** Waits before retrying a failed automatic backup, one per failure in a row; the last one repeats. */
export const BACKUP_RETRY_BACKOFF_MS = [MINUTE_MS, 5 * MINUTE_MS, 15 * MINUTE_MS, HOUR_MS] as const;
/** The relay deletes a backup that has not been renewed for this long. */
export const BACKUP_RETENTION_MS = 30 * DAY_MS;
/** Restore attempts (proofs of the code) the relay accepts per account in one hour. */
export const BACKUP_RESTORE_ATTEMPTS_PER_HOUR = 10;
/** Wrong codes in a row after which the account's backup is locked out... */
export const BACKUP_LOCKOUT_FAILURES = 20;
/** ...for this long. */
export const BACKUP_LOCKOUT_MS = DAY_MS;
/** A restore challenge must be answered within this long. */
export const BACKUP_CHALLENGE_TTL_MS = 2 * MINUTE_MS;

// --- Trust: verification attestations and the directory (src/shared/trust/, server/attestation-*.ts, docs/trust-and-groups.md) ---
/** Default life of a verification attestation: revocation is backed by expiry plus re-issue. */
export const ATTESTATION_DEFAULT_VALIDITY_MS = 30 * DAY_MS;
/** Longest life an attestation may claim; clients refuse longer ones. */
export const ATTESTATION_MAX_VALIDITY_MS = 90 * DAY_MS;
/** Clock skew tolerated on an attestation's issue time. */
export const ATTESTATION_CLOCK_SKEW_MS = 5 * MINUTE_MS;
/** Most attestation ids one signed revocation list holds (~35 bytes each, so it fits one relay frame). */
export const REVOCATION_LIST_MAX_ENTRIES = 6_000;
/** Longest directory search query, in characters. */
export const DIRECTORY_QUERY_MAX_CHARS = 64;
/** Shortest query, so one-letter queries cannot page through the whole directory. */
export const DIRECTORY_QUERY_MIN_CHARS = 2;
/** Most hits one directory search returns. */
export const DIRECTORY_SEARCH_MAX_RESULTS = 50;
/** Largest signed revocation list the relay stores. */
export const REVOCATION_LIST_MAX_BYTES = 240 * 1024;

// Groups and broadcast lists (docs/trust-and-groups.md)
/** Longest group or broadcast list name. */
export const GROUP_NAME_MAX_CHARS = 100;
/** Longest description of a discoverable group. */
export const GROUP_DESCRIPTION_MAX_CHARS = 500;
/** Most members of a group (pairwise fan-out: one envelope per member device). */
export const GROUP_MAX_MEMBERS = 1000;
/** Most recipients of a broadcast list (a pharmacists' association reaching every pharmacy). */
export const BROADCAST_MAX_MEMBERS = 10_000;
/** Largest group picture (JPEG or PNG). */
export const GROUP_PICTURE_MAX_BYTES = 64 * 1024;
/** Longest note a join request carries. */
export const GROUP_JOIN_NOTE_MAX_CHARS = 500;
/** Largest encoded group change (an `add` of many members, a picture) inside one envelope. */
export const GROUP_CHANGE_MAX_BYTES = 200 * 1024;
/** Largest group state snapshot sent to a new member; bigger broadcast lists cannot take a new co-admin. */
export const GROUP_SNAPSHOT_MAX_BYTES = 200 * 1024;
/** A group change issued further in the future than this is refused (clocks drift, signers do not time-travel). */
export const GROUP_CHANGE_CLOCK_SKEW_MS = 5 * MINUTE_MS;
/** Largest signed discoverable-group listing the relay stores. */
export const GROUP_LISTING_MAX_BYTES = 4 * 1024;
/** Most approvers (admins and moderators) a listing names as the places join requests go. */
export const GROUP_LISTING_MAX_APPROVERS = 20;
/** Most hits one search-groups query returns. */
export const GROUP_SEARCH_MAX_RESULTS = 50;
/** Most groups (listed or withdrawn) the relay holds listings for per publishing account. */
export const GROUP_LISTINGS_MAX_PER_ACCOUNT = 100;

/** Multi-node relay: a node's claim on a connected device lapses this long after its last refresh (a dead node's devices are reachable elsewhere after it). */
export const RELAY_PRESENCE_TTL_MS = 15 * SECOND_MS;

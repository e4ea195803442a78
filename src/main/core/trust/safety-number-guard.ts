/**
 * No silent re-keying: once a contact's identity key changed (contacts.safetyNumberChanged),
 * nothing the user writes goes out to that contact until the user has acknowledged the new
 * safety number (`conversations.acknowledgeSafetyNumber`). Receipts and other automatic
 * traffic are not user content and are not held back.
 */
import { CoreError } from '../core-error';
import type { Contacts } from '../store/contacts';

/** Throws CoreError SAFETY_NUMBER_CHANGED while the change is unacknowledged. */
export function requireAcknowledgedSafetyNumber(contacts: Pick<Contacts, 'get'>, peerAccountId: string): void {
  if (contacts.get(peerAccountId)?.safetyNumberChanged) throw new CoreError('SAFETY_NUMBER_CHANGED', 'acknowledge the new safety number first');
}

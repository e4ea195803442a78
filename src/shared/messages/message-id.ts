/** A message's id, chosen by the sending device and shared by every copy of the message (fan-out, own-device sync, receipts). */
import { randomBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { bytesToHex } from '../bytes';

export type MessageId = string & { readonly __brand: 'MessageId' };

export const zMessageId = z
  .string()
  .regex(/^[0-9a-f]{32}$/)
  .transform((s) => s as MessageId);

export function newMessageId(): MessageId {
  return bytesToHex(randomBytes(16)) as MessageId;
}

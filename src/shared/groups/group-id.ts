/** A group's (or broadcast list's) id: 16 random bytes as 32 lowercase hex, chosen by its creator. */
import { randomBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { bytesToHex } from '../bytes';

export type GroupId = string & { readonly __brand: 'GroupId' };

export const zGroupId = z
  .string()
  .regex(/^[0-9a-f]{32}$/)
  .transform((s) => s as GroupId);

export function newGroupId(): GroupId {
  return bytesToHex(randomBytes(16)) as GroupId;
}

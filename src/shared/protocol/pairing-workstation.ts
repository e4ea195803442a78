/** A workstation's stable id: random, not secret; the phone files the database key it handed out under it. */
import { randomBytes } from '@noble/hashes/utils.js';
import { bytesToHex } from '../bytes';

export function newWorkstationId(): string {
  return bytesToHex(randomBytes(16));
}

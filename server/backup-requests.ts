/**
 * Backup & Restore frames at the relay. Uploading needs the account's phone; the restore steps
 * need no device (the new phone has none yet): the proof of the code is what unlocks the chunks.
 */
import type { ClientFrame } from '../src/shared/wire/frames';
import { RelayError } from '../src/shared/wire/relay-error';
import type { BackupStore } from './backup-store';
import type { DeviceLink } from './device-link';
import type { Peer } from './peer';

type BackupFrame = Extract<ClientFrame, { t: 'backup-put' | 'backup-challenge' | 'backup-prove' | 'backup-get' }>;

export function handleBackupRequest(backups: BackupStore, peer: Peer, link: DeviceLink | undefined, frame: BackupFrame): unknown {
  switch (frame.t) {
    case 'backup-put': {
      if (!link) throw new RelayError('UNAUTHENTICATED');
      if (link.device.kind !== 'phone') throw new RelayError('PHONE_ONLY');
      return { s: backups.put(link.device.accountId, frame.h, frame.k, frame.i, frame.d) };
    }
    case 'backup-challenge': {
      const { header, nonce } = backups.challenge(peer, frame.a);
      return { h: header, n: nonce };
    }
    case 'backup-prove':
      return { n: backups.prove(peer, frame.a, frame.s) };
    case 'backup-get':
      return { d: backups.chunk(peer, frame.a, frame.i) };
  }
}

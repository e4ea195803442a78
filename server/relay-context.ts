/** Everything a connection's request handlers use, built once per relay. */
import type { Clock } from '../src/shared/clock';
import type { AccountPublishing } from './account-publishing';
import type { BackupStore } from './backup-store';
import type { AttestationAuthority } from './attestation-authority';
import type { Directory } from './directory';
import type { GroupListings } from './group-listings';
import type { Logger } from './logging';
import type { OfflineQueue } from './offline-queue';
import type { BlobService } from './stores/blob-service';
import type { RendezvousService } from './stores/rendezvous-service';
import type { Router } from './router';
import type { Sessions } from './sessions';

export interface ConnectionLimits {
  readonly authTimeoutMs: number;
  readonly ratePerSecond: number;
  readonly rateBurst: number;
}

export interface RelayContext {
  readonly clock: Clock;
  readonly log: Logger;
  readonly directory: Directory;
  readonly queue: OfflineQueue;
  readonly router: Router;
  readonly sessions: Sessions;
  readonly rendezvous: RendezvousService;
  readonly publishing: AccountPublishing;
  /** Verification attestations and the directory's gate (docs/trust-and-groups.md). */
  readonly trust: AttestationAuthority;
  readonly blobs: BlobService;
  /** Discoverable groups' signed listings (server/group-listings.ts). */
  readonly groups: GroupListings;
  readonly backups: BackupStore;
  /** Authorities (host[:port]) a device may name in its auth signature. */
  readonly authorities: readonly string[];
  readonly limits: ConnectionLimits;
}

/**
 * The relay's stores as one set, chosen at start: embedded SQLite (default, one node) or Redis
 * (`--redis`, several nodes). server/relay.ts builds the rest of the relay on top of either.
 */
import type { AttestationAuthority } from '../attestation-authority';
import type { Directory } from '../directory';
import type { OfflineQueue } from '../offline-queue';
import type { Router } from '../router';
import type { Sessions } from '../sessions';
import type { RendezvousService } from './rendezvous-service';

export interface RelayStores {
  readonly kind: 'sqlite' | 'redis';
  readonly directory: Directory;
  readonly queue: OfflineQueue;
  readonly rendezvous: RendezvousService;
  createRouter(sessions: Sessions): Router;
  /** Called once the relay is assembled: events from other nodes reach these parts from now on. */
  connect(parts: { readonly router: Router; readonly sessions: Sessions; readonly trust: AttestationAuthority }): void;
  /** Writes what is pending and lets go of the engine. */
  close(): Promise<void>;
}

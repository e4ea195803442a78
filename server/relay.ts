/**
 * Assembles and runs a relay: HTTP(S) server with the WebSocket endpoint and /health on one
 * port, the SQLite store, and the timers that apply the time rules. `startRelay` is what the CLI,
 * tests and benchmarks call.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import {
  RELAY_BLOB_MAX_BYTES,
  RELAY_BLOB_QUOTA_BYTES_PER_DEVICE,
  RELAY_BLOB_RETENTION_MS,
  RELAY_MAX_FRAME_BYTES,
} from '../src/shared/limits';
import { hexToBytes } from '../src/shared/bytes';
import { CLOSE_CODES } from '../src/shared/wire/close-codes';
import { relayAuthority } from '../src/shared/wire/relay-auth';
import { AccountPublishing } from './account-publishing';
import { AttestationAuthority } from './attestation-authority';
import { AdjustableClock } from './adjustable-clock';
import { BackupStore } from './backup-store';
import { BlobStore } from './blob-store';
import { zRelayConfig, isLoopback, type RelayConfigInput, type RelayInjections } from './config';
import { Connection } from './connection';
import { openRelayDatabase } from './database';
import { GroupListings } from './group-listings';
import { httpHandler } from './health';
import { createLogger } from './logging';
import type { RelayContext } from './relay-context';
import { Sessions } from './sessions';
import { KeyedTokenBuckets } from './token-bucket';
import { openClusterStores } from './cluster/cluster-stores';
import { RedisBlobStore } from './cluster/redis-blobs';
import type { BlobService } from './stores/blob-service';
import { openEmbeddedStores } from './stores/embedded-stores';

/** The client's address; behind a trusted proxy the nearest address the proxy saw. */
function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? req.headers['x-forwarded-for'] : undefined;
  const header = Array.isArray(forwarded) ? forwarded.at(-1) : forwarded;
  const last = header?.split(',').at(-1)?.trim();
  return last || req.socket.remoteAddress || 'unknown';
}

export interface RunningRelay {
  readonly url: string;
  readonly port: number;
  /** Stops accepting, closes every connection (1001), writes pending envelopes, closes the store. */
  close(): Promise<void>;
}

const SESSION_SWEEP_MS = 1000;
const EXPIRY_SWEEP_MS = 60_000;

export async function startRelay(input: RelayConfigInput, inject: RelayInjections = {}): Promise<RunningRelay> {
  const config = zRelayConfig.parse(input);
  const testClock = config.testClock ? new AdjustableClock() : undefined;
  const clock = inject.clock ?? testClock ?? { now: () => Date.now() };
  const log = inject.logger ?? createLogger(config.logLevel);
  // With --redis the directory, queue, rendezvous and blob index are shared by every node; the
  // SQLite file then holds only this node's group listings (docs/deployment.md).
  const cluster = config.redis ? await openClusterStores(config.redis, config, clock, log) : undefined;
  const db = openRelayDatabase(config.dataDir, config.synchronous);
  const stores = cluster ?? openEmbeddedStores(db, config, clock, log);
  const { directory, queue, rendezvous } = stores;
  const sessions = new Sessions(directory, queue, clock, config.desktopSessionMs, log);
  const router = stores.createRouter(sessions);
  sessions.router = router;
  // The relay's clock (not a monotonic one) so --test-clock and injected clocks move refills too.
  const newAccounts = new KeyedTokenBuckets(config.newAccountsPerHour / 3600, config.newAccountsBurst, () => clock.now());
  const publishing = new AccountPublishing(directory, sessions, clock, log, newAccounts);
  const trust = new AttestationAuthority(directory, config.authorityKey ? hexToBytes(config.authorityKey) : null, clock, log);
  stores.connect({ router, sessions, trust });
  const blobOptions = {
    retentionMs: RELAY_BLOB_RETENTION_MS,
    maxBlobBytes: RELAY_BLOB_MAX_BYTES,
    quotaBytesPerDevice: RELAY_BLOB_QUOTA_BYTES_PER_DEVICE,
  };
  // With --redis the blob index is shared and the files live on --blob-dir (a mount every node sees).
  const sharedBlobs = config.redis
    ? await RedisBlobStore.open(config.redis, config.blobDir ?? join(config.dataDir, 'blobs'), clock, blobOptions, log).catch(async (error: unknown) => {
        await stores.close();
        db.close();
        throw error;
      })
    : undefined;
  const blobs: BlobService = sharedBlobs ?? new BlobStore(db, config.dataDir, clock, blobOptions);

  const backups = new BackupStore(config.dataDir, clock);
  const groups = new GroupListings(db, directory, trust, clock);
  const sweep = () => {
    sessions.sweep();
    rendezvous.sweep();
    queue.expire(clock.now());
    blobs.expire(clock.now());
    backups.sweep(clock.now());
  };
  let connections = 0;
  const health = () => ({
    status: 'ok',
    uptimeSeconds: Math.round(process.uptime()),
    connections,
    devicesOnline: router.onlineCount,
    queuedEnvelopes: queue.totalQueued,
    pendingWrites: queue.pendingWrites,
    rendezvousChannels: rendezvous.channelCount,
    blobs: blobs.count,
  });

  const handler = httpHandler({ health, sweep }, testClock);
  const tls = config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : undefined;
  const server: Server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  const wss = new WebSocketServer({ server, maxPayload: RELAY_MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: true });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = tls ? 'wss' : 'ws';
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${scheme}://${hostForUrl}:${port}`;
  const authorities = [...new Set([config.publicUrl ?? url, url].map((u) => relayAuthority(u)!))];
  if (isLoopback(config.host)) authorities.push(`localhost:${port}`, `127.0.0.1:${port}`);

  const ctx: RelayContext = {
    clock,
    log,
    directory,
    queue,
    router,
    sessions,
    rendezvous,
    publishing,
    trust,
    blobs,
    backups,
    groups,
    authorities: [...new Set(authorities)],
    limits: { authTimeoutMs: config.authTimeoutMs, ratePerSecond: config.ratePerSecond, rateBurst: config.rateBurst },
  };

  wss.on('connection', (ws, req) => {
    connections++;
    ws.once('close', () => connections--);
    try {
      new Connection(ws, clientAddress(req, config.trustProxy), ctx, req.socket);
    } catch (error) {
      log.error({ err: String(error), code: 'INTERNAL' }, 'connection setup failed');
      ws.close(CLOSE_CODES.INTERNAL);
    }
  });
  wss.on('error', (error) => log.error({ err: error.message }, 'websocket server error'));

  const sessionTimer = setInterval(() => guarded(() => sessions.sweep()), SESSION_SWEEP_MS);
  const expiryTimer = setInterval(() => guarded(() => {
    rendezvous.sweep();
    queue.expire(clock.now());
    blobs.expire(clock.now());
    backups.sweep(clock.now());
  }), EXPIRY_SWEEP_MS);
  function guarded(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      log.error({ err: String(error), code: 'INTERNAL' }, 'sweep failed');
    }
  }
  guarded(sweep);
  log.info({ url, dataDir: config.dataDir, store: stores.kind, testClock: config.testClock }, 'relay started');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        clearInterval(sessionTimer);
        clearInterval(expiryTimer);
        for (const ws of wss.clients) ws.close(CLOSE_CODES.GOING_AWAY, 'relay shutting down');
        wss.close();
        server.close(() => {
          queue.close();
          backups.close();
          void Promise.all([stores.close(), sharedBlobs?.close()]).finally(() => {
            db.close();
            log.info('relay stopped');
            log.flush();
            resolve();
          });
        });
        // Sockets that do not finish the close handshake must not hold the shutdown up.
        setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
          server.closeAllConnections();
        }, 1000).unref();
      })),
  };
}

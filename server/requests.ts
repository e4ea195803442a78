/**
 * Request handlers: each returns the `x` of the `ok` answer (undefined for none), or 'deferred'
 * when it answers later itself (`send` answers once the envelope is durable or delivered).
 * Errors are thrown as RelayError and become `err` frames.
 */
import type { ClientFrame, ClientRequest } from '../src/shared/wire/frames';
import { RelayError } from '../src/shared/wire/relay-error';
import type { Connection } from './connection';
import type { DeviceLink } from './device-link';
import { encodeSendOkFrame } from './hot-frames';
import { handleBlobRequest } from './blob-requests';
import { handleBackupRequest } from './backup-requests';
import type { RelayContext } from './relay-context';
import { asRelayError } from './account-publishing';
import { AUTHORITY_ATTESTATION_NAMES } from './attestation-authority';
import { searchDirectory } from './directory-search';

type Request = Exclude<ClientRequest, Extract<ClientFrame, { t: 'auth' }>>;

/**
 * A store that answers from another machine (Redis, several relay nodes) returns a promise:
 * the request is then answered when it settles. The embedded store answers at once.
 */
function whenStored<T>(ctx: RelayContext, conn: Connection, r: number, value: T | Promise<T> | undefined, shape: (v: T | undefined) => unknown): unknown {
  if (!(value instanceof Promise)) return shape(value);
  value.then(
    (v) => {
      const x = shape(v);
      conn.send(x === undefined ? { t: 'ok', r } : { t: 'ok', r, x });
    },
    (e: unknown) => {
      const error = asRelayError(e);
      if (error.code === 'INTERNAL') ctx.log.error({ conn: conn.id, err: String(e) }, 'store request failed');
      conn.fail(error.code, r);
    },
  );
  return 'deferred';
}

function authenticated(link: DeviceLink | undefined): DeviceLink {
  if (!link) throw new RelayError('UNAUTHENTICATED');
  return link;
}

export function handleRequest(ctx: RelayContext, conn: Connection, link: DeviceLink | undefined, frame: Request): unknown {
  switch (frame.t) {
    case 'publish-device-list': {
      const n = ctx.publishing.publish(frame.l, frame.w ?? [], conn.address);
      return whenStored(ctx, conn, frame.r, ctx.directory.written(), () => ({ n }));
    }
    case 'get-device-list':
      return { l: ctx.directory.account(frame.a)?.list ?? null };
    case 'put-signed-prekey':
      return whenStored(ctx, conn, frame.r, ctx.directory.putSignedPrekey(authenticated(link).deviceId, frame.k), () => undefined);
    case 'put-one-time-prekeys':
      return whenStored(ctx, conn, frame.r, ctx.directory.putOneTimePrekeys(authenticated(link).deviceId, frame.k), (n) => ({ n }));
    case 'count-one-time-prekeys':
      return whenStored(ctx, conn, frame.r, ctx.directory.countOneTimePrekeys(authenticated(link).deviceId), (n) => ({ n }));
    case 'get-prekey-bundles': {
      authenticated(link);
      if (!ctx.directory.account(frame.a)) throw new RelayError('UNKNOWN_ACCOUNT');
      const bundles = ctx.directory.takeBundles(frame.a, (d) => d.state === 'active' && !ctx.sessions.checkExpiry(d));
      return whenStored(ctx, conn, frame.r, bundles, (b) => ({ b }));
    }
    case 'put-attestation':
      if (AUTHORITY_ATTESTATION_NAMES.includes(frame.n)) throw new RelayError('BAD_SIGNATURE', 'name reserved for the authority');
      if (!ctx.directory.putAttestation(authenticated(link).device.accountId, frame.n, frame.b)) throw new RelayError('TOO_LARGE');
      return whenStored(ctx, conn, frame.r, ctx.directory.written(), () => undefined);
    case 'get-attestations':
      authenticated(link);
      return { a: ctx.directory.attestations(frame.a) };
    case 'publish-verification':
      ctx.trust.publishVerification(frame.b);
      return whenStored(ctx, conn, frame.r, ctx.directory.written(), () => undefined);
    case 'publish-revocations':
      ctx.trust.publishRevocations(frame.b);
      return whenStored(ctx, conn, frame.r, ctx.directory.written(), () => undefined);
    case 'search-directory':
      return { h: searchDirectory(ctx.trust, authenticated(link).device.accountId, frame.q) };
    case 'publish-group-listing':
      ctx.groups.publish(authenticated(link).device.accountId, frame.b);
      return undefined;
    case 'search-groups':
      return { h: ctx.groups.search(authenticated(link).device.accountId, frame.q) };
    case 'send': {
      authenticated(link);
      const r = frame.r;
      ctx.router.route(frame.e, (how) => conn.sendEncoded(encodeSendOkFrame(r, how)));
      return 'deferred';
    }
    case 'rv-open':
      return whenStored(ctx, conn, frame.r, ctx.rendezvous.open(conn, frame.c), (p) => ({ p }));
    case 'rv-send':
      return whenStored(ctx, conn, frame.r, ctx.rendezvous.send(conn, frame.c, frame.m), () => undefined);
    case 'blob-create':
    case 'blob-put':
    case 'blob-status':
    case 'blob-get':
      return whenStored(ctx, conn, frame.r, handleBlobRequest(ctx.blobs, authenticated(link).deviceId, frame), (x) => x);
    case 'backup-put':
    case 'backup-challenge':
    case 'backup-prove':
    case 'backup-get':
      return handleBackupRequest(ctx.backups, conn, link, frame);
  }
}

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
import { AUTHORITY_ATTESTATION_NAMES } from './attestation-authority';
import { searchDirectory } from './directory-search';

type Request = Exclude<ClientRequest, Extract<ClientFrame, { t: 'auth' }>>;

function authenticated(link: DeviceLink | undefined): DeviceLink {
  if (!link) throw new RelayError('UNAUTHENTICATED');
  return link;
}

export function handleRequest(ctx: RelayContext, conn: Connection, link: DeviceLink | undefined, frame: Request): unknown {
  switch (frame.t) {
    case 'publish-device-list':
      return { n: ctx.publishing.publish(frame.l, frame.w ?? []) };
    case 'get-device-list':
      return { l: ctx.directory.account(frame.a)?.list ?? null };
    case 'put-signed-prekey':
      ctx.directory.putSignedPrekey(authenticated(link).deviceId, frame.k);
      return undefined;
    case 'put-one-time-prekeys':
      return { n: ctx.directory.putOneTimePrekeys(authenticated(link).deviceId, frame.k) };
    case 'count-one-time-prekeys':
      return { n: ctx.directory.countOneTimePrekeys(authenticated(link).deviceId) };
    case 'get-prekey-bundles': {
      authenticated(link);
      if (!ctx.directory.account(frame.a)) throw new RelayError('UNKNOWN_ACCOUNT');
      return { b: ctx.directory.takeBundles(frame.a, (d) => d.state === 'active' && !ctx.sessions.checkExpiry(d)) };
    }
    case 'put-attestation':
      if (AUTHORITY_ATTESTATION_NAMES.includes(frame.n)) throw new RelayError('BAD_SIGNATURE', 'name reserved for the authority');
      if (!ctx.directory.putAttestation(authenticated(link).device.accountId, frame.n, frame.b)) throw new RelayError('TOO_LARGE');
      return undefined;
    case 'get-attestations':
      authenticated(link);
      return { a: ctx.directory.attestations(frame.a) };
    case 'publish-verification':
      ctx.trust.publishVerification(frame.b);
      return undefined;
    case 'publish-revocations':
      ctx.trust.publishRevocations(frame.b);
      return undefined;
    case 'search-directory':
      return { h: searchDirectory(ctx.trust, authenticated(link).device.accountId, frame.q) };
    case 'send': {
      authenticated(link);
      const r = frame.r;
      ctx.router.route(frame.e, (how) => conn.sendEncoded(encodeSendOkFrame(r, how)));
      return 'deferred';
    }
    case 'rv-open':
      return { p: ctx.rendezvous.open(conn, frame.c) };
    case 'rv-send':
      ctx.rendezvous.send(conn, frame.c, frame.m);
      return undefined;
    case 'blob-create':
    case 'blob-put':
    case 'blob-status':
    case 'blob-get':
      return handleBlobRequest(ctx.blobs, authenticated(link).deviceId, frame);
    case 'backup-put':
    case 'backup-challenge':
    case 'backup-prove':
    case 'backup-get':
      return handleBackupRequest(ctx.backups, conn, link, frame);
  }
}

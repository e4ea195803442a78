/**
 * What the admin CLI does, as a library the tests drive directly:
 * - verifyAccount: looks up the account's signed device list at the relay (and, when the admin
 *   was given the identity key out of band, insists the relay serves exactly that key), issues
 *   the attestation and publishes it to the relay.
 * - revokeAttestations: adds ids to the authority's revocation state (a local JSON file holding
 *   the serial and every id ever revoked), signs the next list and publishes it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { constantTimeEqual } from '../shared/bytes';
import type { Clock } from '../shared/clock';
import { ATTESTATION_DEFAULT_VALIDITY_MS, REVOCATION_LIST_MAX_ENTRIES } from '../shared/limits';
import { verifyDeviceList } from '../shared/protocol/device-list';
import type { AccountId } from '../shared/protocol/ids';
import { signRevocationList } from '../shared/trust/revocation-list';
import { issueVerificationAttestation, newAttestationId, type VerificationClaims } from '../shared/trust/verification-attestation';
import type { RelayClient } from '../shared/wire/relay-client';
import { AdminError, type AuthorityKey } from './authority-key';

export interface VerifyRequest {
  readonly accountId: AccountId;
  readonly claims: VerificationClaims;
  /** The identity key the person showed the admin (e.g. as a QR code); recommended. */
  readonly identityKey?: Uint8Array;
  readonly validityMs?: number;
}

export async function verifyAccount(
  relay: RelayClient,
  key: AuthorityKey,
  clock: Clock,
  request: VerifyRequest,
): Promise<{ attestationId: string; expiresAt: number; attestation: Uint8Array }> {
  const listBytes = await relay.getDeviceList(request.accountId);
  if (!listBytes) throw new AdminError('UNKNOWN_ACCOUNT', 'account has no device list at the relay');
  const list = verifyDeviceList(listBytes);
  if (list.accountId !== request.accountId) throw new AdminError('IDENTITY_MISMATCH', 'relay served another account');
  if (request.identityKey && !constantTimeEqual(request.identityKey, list.identityKey)) {
    throw new AdminError('IDENTITY_MISMATCH', 'relay serves another identity key than the one given');
  }
  const issuedAt = clock.now();
  const expiresAt = issuedAt + (request.validityMs ?? ATTESTATION_DEFAULT_VALIDITY_MS);
  const attestationId = newAttestationId();
  const attestation = issueVerificationAttestation(key.secretKey, request.claims, { identityKey: list.identityKey, issuedAt, expiresAt, id: attestationId });
  await relay.publishVerification(attestation);
  return { attestationId, expiresAt, attestation };
}

const zState = z.object({ serial: z.number().int().nonnegative(), revoked: z.array(z.string().regex(/^[0-9a-f]{32}$/)) }).strict();
export type RevocationState = z.infer<typeof zState>;

export function readRevocationState(path: string): RevocationState {
  if (!existsSync(path)) return { serial: 0, revoked: [] };
  try {
    return zState.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (e) {
    throw new AdminError('BAD_KEY_FILE', 'revocation state unreadable', { cause: e });
  }
}

export async function revokeAttestations(
  relay: RelayClient,
  key: AuthorityKey,
  clock: Clock,
  statePath: string,
  ids: readonly string[],
): Promise<{ serial: number; revoked: number }> {
  if (ids.length === 0 || ids.some((id) => !/^[0-9a-f]{32}$/.test(id))) throw new AdminError('BAD_ARGUMENT', 'attestation ids are 32 hex characters');
  const state = readRevocationState(statePath);
  const revoked = [...new Set([...state.revoked, ...ids])];
  if (revoked.length > REVOCATION_LIST_MAX_ENTRIES) throw new AdminError('BAD_ARGUMENT', 'revocation list full: let old attestations expire');
  const next = { serial: state.serial + 1, revoked };
  await relay.publishRevocations(signRevocationList(key.secretKey, next.serial, revoked, clock.now()));
  // Written only once the relay holds it, so a failed publish can simply be retried.
  writeFileSync(statePath, `${JSON.stringify(next)}\n`, { mode: 0o600 });
  return { serial: next.serial, revoked: revoked.length };
}

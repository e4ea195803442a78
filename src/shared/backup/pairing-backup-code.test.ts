/** The optional `bk` field of the pairing accept message (docs/protocol.md §16). */
import { describe, expect, it } from 'vitest';
import { isWardlineError } from '../errors';
import { decodePairingMessage, encodePairingMessage } from '../protocol/pairing-messages';
import { generateRecoveryCode } from './recovery-code';

const accept = { t: 'accept' as const, ik: new Uint8Array(32), c: new Uint8Array(8), l: new Uint8Array(8), pr: { n: 'Dr A', p: '' }, s: 1 };

describe('backup code in the pairing accept message', () => {
  it('carries the code when the phone has one, and still decodes without it', () => {
    const code = generateRecoveryCode();
    expect(decodePairingMessage(encodePairingMessage({ ...accept, bk: code }), ['accept']).bk).toBe(code);
    expect(decodePairingMessage(encodePairingMessage(accept), ['accept']).bk).toBeUndefined();
  });

  it('refuses anything that is not a canonical code', () => {
    for (const bk of ['short', `${generateRecoveryCode().slice(0, 27)}u`, 'x'.repeat(10_000)]) {
      try {
        decodePairingMessage(encodePairingMessage({ ...accept, bk }), ['accept']);
        expect.unreachable();
      } catch (e) {
        expect(isWardlineError(e) && e.code).toBe('MALFORMED');
      }
    }
  });
});

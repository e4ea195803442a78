import { describe, expect, it } from 'vitest';
import { PIN_LENGTH } from '../../../shared/limits';
import { checkPinPolicy } from './pin-policy';

describe('PIN policy', () => {
  it.each(['12345', '54321', '90123', '78901', '10987', '01234', '43210'])('rejects the sequence %s', (pin) => {
    expect(checkPinPolicy(pin)).toEqual({ ok: false, code: 'SEQUENTIAL' });
  });

  it.each(['11111', '00000', '99999'])('rejects the repeated %s', (pin) => {
    expect(checkPinPolicy(pin)).toEqual({ ok: false, code: 'REPEATED' });
  });

  it.each(['12121', '90909', '13579', '02468', '97531', '05050'])('rejects the pattern %s', (pin) => {
    expect(checkPinPolicy(pin)).toEqual({ ok: false, code: 'PATTERN' });
  });

  it.each(['1234', '123456', '12a45', '１２３４５', ' 2468', '', '4821\n'])('rejects the malformed %j', (pin) => {
    expect(checkPinPolicy(pin)).toEqual({ ok: false, code: 'WRONG_FORMAT' });
  });

  it.each(['48213', '12346', '11112', '90210', '13572'])('accepts %s', (pin) => {
    expect(checkPinPolicy(pin)).toEqual({ ok: true });
  });

  it('rejects exactly 180 of the 100,000 five-digit codes (documented in docs/database.md)', () => {
    expect(PIN_LENGTH).toBe(5);
    let rejected = 0;
    for (let n = 0; n < 100_000; n++) if (!checkPinPolicy(String(n).padStart(5, '0')).ok) rejected++;
    expect(rejected).toBe(180);
  });
});

import { describe, expect, it } from 'vitest';
import { formatRecoveryCode, generateRecoveryCode, parseRecoveryCode, recoveryCodeGroups } from './recovery-code';
import { thrownCode } from '../testing/error-code';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const codeOf = thrownCode;

describe('Backup & Restore code', () => {
  it('has 130 random bits in 7 groups of 4 and parses back', () => {
    const code = generateRecoveryCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{28}$/);
    expect(formatRecoveryCode(code)).toMatch(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/);
    expect(recoveryCodeGroups(code)).toHaveLength(7);
    expect(parseRecoveryCode(formatRecoveryCode(code))).toBe(code);
    expect(generateRecoveryCode()).not.toBe(code);
  });

  it('normalises case, spaces, dashes and look-alike letters', () => {
    const code = generateRecoveryCode(() => new Uint8Array(26).fill(1)); // all '1'
    const typed = formatRecoveryCode(code).toLowerCase().replace(/1/g, (_, i: number) => (i % 2 ? 'l' : 'I')).replace(/-/g, ' ');
    expect(parseRecoveryCode(typed)).toBe(code);
    const zeros = generateRecoveryCode(() => new Uint8Array(26));
    expect(parseRecoveryCode(zeros.replace(/0/g, 'o'))).toBe(zeros);
  });

  it('catches every single mistyped symbol and every neighbour swap', () => {
    const code = generateRecoveryCode();
    for (let i = 0; i < code.length; i++) {
      for (const c of ALPHABET) {
        if (c === code[i]) continue;
        const typo = code.slice(0, i) + c + code.slice(i + 1);
        expect(codeOf(() => parseRecoveryCode(typo))).toBe('BAD_CODE_CHECK');
      }
      if (i + 1 < code.length && code[i] !== code[i + 1]) {
        const swapped = code.slice(0, i) + code.charAt(i + 1) + code.charAt(i) + code.slice(i + 2);
        expect(codeOf(() => parseRecoveryCode(swapped))).toBe('BAD_CODE_CHECK');
      }
    }
  });

  it('refuses wrong lengths and foreign characters', () => {
    const code = generateRecoveryCode();
    expect(codeOf(() => parseRecoveryCode(code.slice(1)))).toBe('BAD_CODE_FORMAT');
    expect(codeOf(() => parseRecoveryCode(`${code}0`))).toBe('BAD_CODE_FORMAT');
    expect(codeOf(() => parseRecoveryCode(`U${code.slice(1)}`))).toBe('BAD_CODE_FORMAT');
    expect(codeOf(() => parseRecoveryCode(''))).toBe('BAD_CODE_FORMAT');
  });
});

import { describe, expect, it } from 'vitest';
import { isValidBigNumber, isValidRizivNumber, normaliseRegistrationNumber, parseRegistration, rizivCheck } from './registration-number';

describe('RIZIV/INAMI numbers', () => {
  it('computes the check over the first six digits (97 and 89 series)', () => {
    // 123456 mod 97 = 72 → 25; 123456 mod 89 = 13 → 76
    expect(rizivCheck(123456, 97)).toBe(25);
    expect(rizivCheck(123456, 89)).toBe(76);
  });

  it('accepts numbers of either series, with or without separators', () => {
    expect(isValidRizivNumber('12345625004')).toBe(true);
    expect(isValidRizivNumber('12345676004')).toBe(true);
    expect(parseRegistration('RIZIV', '1-23456-25-004')).toEqual({ scheme: 'RIZIV', number: '12345625004' });
    expect(parseRegistration('RIZIV', '1.23456.76.580')?.number).toBe('12345676580');
  });

  it('refuses a wrong check, a wrong length, letters and all zeros', () => {
    expect(isValidRizivNumber('12345626004')).toBe(false);
    expect(isValidRizivNumber('12345624004')).toBe(false);
    expect(isValidRizivNumber('1234562500')).toBe(false);
    expect(isValidRizivNumber('123456250041')).toBe(false);
    expect(isValidRizivNumber('1234562500A')).toBe(false);
    expect(isValidRizivNumber('00000097000')).toBe(false);
    expect(parseRegistration('RIZIV', '1-23456-26-004')).toBeNull();
  });
});

describe('BIG numbers', () => {
  it('accepts 11 digits (no check rule is published)', () => {
    expect(isValidBigNumber('19012345601')).toBe(true);
    expect(parseRegistration('BIG', '190 123 456 01')).toEqual({ scheme: 'BIG', number: '19012345601' });
  });

  it('refuses other lengths, letters and all zeros', () => {
    expect(isValidBigNumber('1901234560')).toBe(false);
    expect(isValidBigNumber('190123456011')).toBe(false);
    expect(isValidBigNumber('1901234560x')).toBe(false);
    expect(isValidBigNumber('00000000000')).toBe(false);
    expect(parseRegistration('BIG', '12-34')).toBeNull();
  });

  it('normalises separators only', () => {
    expect(normaliseRegistrationNumber(' 1.2-3/4 5 ')).toBe('12345');
  });
});

import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRevocationState } from './authority-admin';
import { generateAuthorityKey, loadAuthorityKey } from './authority-key';

const dir = () => mkdtempSync(join(tmpdir(), 'wardline-authority-'));

describe('authority key file', () => {
  it('is created owner-only, loads back, and is never overwritten', () => {
    const path = join(dir(), 'authority.json');
    const key = generateAuthorityKey(path);
    expect(statSync(path).mode & 0o077).toBe(0);
    expect(loadAuthorityKey(path)).toEqual(key);
    expect(() => generateAuthorityKey(path)).toThrow(expect.objectContaining({ code: 'KEY_FILE_EXISTS' }));
    expect(loadAuthorityKey(path)).toEqual(key);
  });

  it('refuses a damaged file or a public key that does not belong to the secret key', () => {
    const d = dir();
    const a = generateAuthorityKey(join(d, 'a.json'));
    const b = generateAuthorityKey(join(d, 'b.json'));
    const mixed = join(d, 'mixed.json');
    writeFileSync(mixed, JSON.stringify({ publicKey: Buffer.from(b.publicKey).toString('hex'), secretKey: Buffer.from(a.secretKey).toString('hex') }));
    expect(() => loadAuthorityKey(mixed)).toThrow(expect.objectContaining({ code: 'BAD_KEY_FILE' }));
    const broken = join(d, 'broken.json');
    writeFileSync(broken, readFileSync(join(d, 'a.json'), 'utf8').slice(0, 20));
    expect(() => loadAuthorityKey(broken)).toThrow(expect.objectContaining({ code: 'BAD_KEY_FILE' }));
    expect(() => loadAuthorityKey(join(d, 'missing.json'))).toThrow(expect.objectContaining({ code: 'BAD_KEY_FILE' }));
  });
});

describe('revocation state file', () => {
  it('starts empty and refuses a damaged file', () => {
    const d = dir();
    expect(readRevocationState(join(d, 'none.json'))).toEqual({ serial: 0, revoked: [] });
    writeFileSync(join(d, 'bad.json'), '{"serial":-1,"revoked":[]}');
    expect(() => readRevocationState(join(d, 'bad.json'))).toThrow(expect.objectContaining({ code: 'BAD_KEY_FILE' }));
  });
});

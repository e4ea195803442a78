import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from './content-security-policy';

const directives = (csp: string) => new Map(csp.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));

describe('contentSecurityPolicy', () => {
  it('allows only our own scripts, styles and socket, nothing inline or remote', () => {
    const csp = directives(contentSecurityPolicy({ delivery: 'meta' }));
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    for (const sources of csp.values()) {
      for (const s of sources) expect(s).not.toMatch(/unsafe|\*|https?:/);
    }
  });

  it('adds frame-ancestors only where browsers honour it (a header) and extra connect sources when given', () => {
    expect(directives(contentSecurityPolicy({ delivery: 'meta' })).has('frame-ancestors')).toBe(false);
    const header = directives(contentSecurityPolicy({ delivery: 'header', connectSrc: ['ws://127.0.0.1:4000'] }));
    expect(header.get('frame-ancestors')).toEqual(["'none'"]);
    expect(header.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:4000']);
  });

  it('relaxes styles and allows the HMR socket only for the dev server', () => {
    const dev = directives(contentSecurityPolicy({ delivery: 'header', devServer: 'http://localhost:5173' }));
    expect(dev.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(dev.get('connect-src')).toEqual(["'self'", 'ws://localhost:5173']);
    expect(dev.get('script-src')).toEqual(["'self'"]);
  });
});

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

  it('lets the PDF viewer start its worker from our own files only, never eval or a remote origin', () => {
    for (const options of [{ delivery: 'meta' }, { delivery: 'header' }, { delivery: 'header', connectSrc: ['ws://127.0.0.1:4000'] }] as const) {
      const text = contentSecurityPolicy(options);
      const csp = directives(text);
      expect(csp.get('worker-src')).toEqual(["'self'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(text).not.toMatch(/unsafe-eval|wasm-unsafe-eval|unsafe-inline|unsafe-hashes|strict-dynamic/);
      // Only our origin (and, for the web host, its loopback socket): no http(s) origin, wildcard, or data:/blob: script or worker.
      expect(text).not.toMatch(/https?:|\*|\bws:\/\/(?!127\.0\.0\.1:)/);
      for (const d of ['script-src', 'worker-src', 'default-src', 'object-src', 'frame-src']) {
        expect(csp.get(d)!.some((s) => s === 'blob:' || s === 'data:')).toBe(false);
      }
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

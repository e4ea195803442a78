import { describe, expect, it } from 'vitest';
import { downloadDecision } from './download-policy';
import { APP_ORIGIN } from './security-policy';

const text = (url: string) => ({ url, mimeType: 'text/plain' });

describe('download policy', () => {
  it('allows only a text blob of our own page, via a save dialog, outside kiosk mode', () => {
    expect(downloadDecision(text(`blob:${APP_ORIGIN}/5b1c6a2e-1111-4a4a-9e9e-000000000000`), APP_ORIGIN, { kiosk: false })).toBe('save-dialog');
  });

  it('blocks everything in kiosk mode', () => {
    expect(downloadDecision(text(`blob:${APP_ORIGIN}/5b1c6a2e`), APP_ORIGIN, { kiosk: true })).toBe('block');
  });

  it('blocks other origins, other schemes and other types', () => {
    expect(downloadDecision(text('blob:https://evil.example/5b1c6a2e'), APP_ORIGIN, { kiosk: false })).toBe('block');
    expect(downloadDecision(text(`${APP_ORIGIN}/index.html`), APP_ORIGIN, { kiosk: false })).toBe('block');
    expect(downloadDecision(text('https://evil.example/file.txt'), APP_ORIGIN, { kiosk: false })).toBe('block');
    expect(downloadDecision(text('blob:null/5b1c6a2e'), APP_ORIGIN, { kiosk: false })).toBe('block');
    expect(downloadDecision({ url: `blob:${APP_ORIGIN}/5b1c6a2e`, mimeType: 'application/octet-stream' }, APP_ORIGIN, { kiosk: false })).toBe('block');
  });
});

import { describe, expect, it } from 'vitest';
import type { ApiHandlers, AppState } from '../../../shared/api';
import { WardlineError } from '../../../shared/errors';
import { dispatchApiCall } from './dispatch';

const state: AppState = {
  phase: 'pairing',
  workstationName: 'Ward 4',
  kiosk: false,
  relayConnected: true,
  lock: { hasPin: false, triesLeft: 3 },
  settings: { language: 'en', notifications: 'private', privacyReveal: 'click' },
};

function handlers(overrides: Partial<ApiHandlers>): ApiHandlers {
  return new Proxy(overrides as ApiHandlers, {
    get: (target, prop: string) => (prop in target ? target[prop as keyof ApiHandlers] : () => Promise.reject(new Error('not in test'))),
  });
}

describe('dispatchApiCall', () => {
  it('validates input and output and returns the value', async () => {
    const h = handlers({ 'app.getState': () => Promise.resolve(state) });
    expect(await dispatchApiCall(h, 'app.getState', {})).toEqual({ ok: true, value: state });
  });

  it('refuses unknown methods and prototype names', async () => {
    const h = handlers({});
    expect(await dispatchApiCall(h, 'nope', {})).toEqual({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await dispatchApiCall(h, '__proto__', {})).toEqual({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await dispatchApiCall(h, 42, {})).toEqual({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });

  it('refuses malformed input without echoing it', async () => {
    let called = false;
    const h = handlers({ 'messages.send': () => { called = true; return Promise.reject(new Error('x')); } });
    const r = await dispatchApiCall(h, 'messages.send', { conversationId: 'c1', text: 'secret', extra: 'patient name' });
    expect(r.ok).toBe(false);
    expect(called).toBe(false);
    expect(JSON.stringify(r)).not.toContain('patient name');
    expect(JSON.stringify(r)).not.toContain('secret');
  });

  it('maps typed errors to codes and hides unknown ones', async () => {
    const h = handlers({
      'lock.lockNow': () => Promise.reject(new WardlineError('NOT_PAIRED')),
      'pairing.cancel': () => Promise.reject(new Error('database is locked at /home/x')),
    });
    expect(await dispatchApiCall(h, 'lock.lockNow', {})).toEqual({ ok: false, error: { code: 'NOT_PAIRED' } });
    expect(await dispatchApiCall(h, 'pairing.cancel', {})).toEqual({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('refuses a handler result that breaks the contract', async () => {
    const h = handlers({ 'app.getState': () => Promise.resolve({ phase: 'bogus' } as unknown as AppState) });
    expect(await dispatchApiCall(h, 'app.getState', {})).toEqual({ ok: false, error: { code: 'INTERNAL', detail: 'output' } });
  });
});

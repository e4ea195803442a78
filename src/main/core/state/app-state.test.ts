import { describe, expect, it } from 'vitest';
import { zAppState, type AppState } from '../../../shared/api';
import { AppStateMachine, canTransition } from './app-state';

function machine() {
  const seen: AppState[] = [];
  const m = new AppStateMachine(
    { workstationName: 'Ward 4', kiosk: false, settings: { language: 'en', notifications: 'private', privacyReveal: 'click' } },
    (s) => seen.push(s),
  );
  return { m, seen };
}

describe('AppStateMachine', () => {
  it('starts in starting and walks the pairing → ready → locked → ready → pairing cycle', () => {
    const { m, seen } = machine();
    expect(m.phase).toBe('starting');
    m.moveTo('pairing');
    m.moveTo('ready', { relayConnected: true, account: { accountId: 'a'.repeat(32), displayName: 'Dr A', verification: { identity: false, registration: false } }, session: { authorisedAt: 1, endsAt: 2 } });
    m.moveTo('locked');
    m.moveTo('ready');
    m.unpair();
    expect(seen.map((s) => s.phase)).toEqual(['pairing', 'ready', 'locked', 'ready', 'pairing']);
    expect(m.state.account).toBeUndefined();
    expect(m.state.session).toBeUndefined();
    expect(m.state.relayConnected).toBe(false);
    for (const s of seen) expect(zAppState.safeParse(s).success).toBe(true);
  });

  it('refuses transitions the machine does not allow', () => {
    const { m } = machine();
    expect(() => m.moveTo('ready')).toThrow(/not allowed/);
    m.moveTo('error', { errorCode: 'CONFIG' });
    expect(() => m.moveTo('pairing')).toThrow(/not allowed/);
    expect(canTransition('starting', 'locked')).toBe(false);
    expect(canTransition('locked', 'pairing')).toBe(true);
  });
});

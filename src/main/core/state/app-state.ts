/**
 * The app's state machine: starting → pairing → ready ⇄ locked, and back to pairing on logout,
 * session end or revocation. It is the one place the phase changes, so every change is
 * checked against the allowed transitions and published as `state.changed`.
 */
import type { AppState, Settings } from '../../../shared/api';
import { PIN_MAX_TRIES } from '../../../shared/limits';

export type AppPhase = AppState['phase'];
type LockState = AppState['lock'];

const TRANSITIONS: Record<AppPhase, readonly AppPhase[]> = {
  starting: ['pairing', 'error'],
  pairing: ['ready', 'locked', 'error'],
  ready: ['locked', 'pairing', 'error'],
  locked: ['ready', 'pairing', 'error'],
  error: [],
};

export function canTransition(from: AppPhase, to: AppPhase): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

export const UNPAIRED_LOCK: LockState = { hasPin: false, triesLeft: PIN_MAX_TRIES };

export class AppStateMachine {
  #state: AppState;
  readonly #onChange: (state: AppState) => void;

  constructor(initial: { workstationName: string; kiosk: boolean; settings: Settings }, onChange: (state: AppState) => void) {
    this.#state = { phase: 'starting', ...initial, relayConnected: false, lock: UNPAIRED_LOCK };
    this.#onChange = onChange;
  }

  get state(): AppState {
    return this.#state;
  }

  get phase(): AppPhase {
    return this.#state.phase;
  }

  /** Throws on a transition the machine does not allow: that is a bug in the caller. */
  moveTo(phase: AppPhase, changes: Partial<Omit<AppState, 'phase'>> = {}): void {
    if (!canTransition(this.#state.phase, phase)) throw new Error(`app state: ${this.#state.phase} → ${phase} is not allowed`);
    this.#set({ ...this.#state, ...changes, phase });
  }

  /** Back to pairing with everything account-specific cleared. */
  unpair(): void {
    if (this.#state.phase === 'error' || this.#state.phase === 'starting') {
      if (this.#state.phase === 'starting') this.moveTo('pairing');
      return;
    }
    const { account: _a, session: _s, ...rest } = this.#state;
    // The paired device's relay link is gone; the pairing screen reports its own connection.
    this.#set({ ...rest, phase: 'pairing', relayConnected: false, lock: UNPAIRED_LOCK });
  }

  update(changes: Partial<Omit<AppState, 'phase'>>): void {
    this.#set({ ...this.#state, ...changes });
  }

  #set(next: AppState): void {
    this.#state = next;
    this.#onChange(next);
  }
}

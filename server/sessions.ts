/**
 * Device lifetimes at the relay. A desktop's session ends a fixed time after the relay first
 * accepted a device list containing it; then it is refused for good (the desktop pairs again
 * under a new device id). A device removed from its account's list is revoked the same way,
 * and receives its wipe command if the phone sent one.
 *
 * Desktop deadlines sit in a time-ordered index fed by the directory (every active desktop at
 * start, then each one it learns of), so the sweep every second costs nothing when none is due,
 * however many desktops are active or have ever paired.
 */
import type { Clock } from '../src/shared/clock';
import type { DeviceId } from '../src/shared/protocol/ids';
import { CLOSE_CODES } from '../src/shared/wire/close-codes';
import type { DeviceRecord, Directory } from './directory';
import type { Logger } from './logging';
import type { OfflineQueue } from './offline-queue';
import type { Router } from './router';
import { SessionDeadlines } from './session-deadlines';

export class Sessions {
  router: Router | undefined;
  /** Active desktops by the end of their session; stale entries (revoked, expired) are skipped. */
  readonly #deadlines = new SessionDeadlines<DeviceRecord>();

  /** Takes over the directory's `onDesktopAdded`: one Sessions per directory. */
  constructor(
    private readonly directory: Directory,
    private readonly queue: OfflineQueue,
    private readonly clock: Clock,
    private readonly desktopSessionMs: number,
    private readonly log: Logger,
  ) {
    for (const device of directory.desktops()) this.#track(device);
    directory.onDesktopAdded = (device) => this.#track(device);
  }

  #track(device: DeviceRecord): void {
    const end = this.endsAt(device);
    if (end !== null && device.state === 'active') this.#deadlines.add(end, device);
  }

  /** When the device's session ends, or null if it does not expire (phones). */
  endsAt(device: DeviceRecord): number | null {
    return device.kind === 'desktop' ? device.authorisedAt + this.desktopSessionMs : null;
  }

  /** True if the device's session is over (and makes it so, if it just ended). */
  checkExpiry(device: DeviceRecord, now = this.clock.now()): boolean {
    if (device.state === 'expired') return true;
    if (device.state !== 'active') return false;
    const end = this.endsAt(device);
    if (end === null || now < end) return false;
    this.expire(device.deviceId);
    return true;
  }

  expire(deviceId: DeviceId): void {
    this.directory.retire(deviceId, 'expired');
    this.queue.dropDevice(deviceId);
    this.router?.disconnect(deviceId, CLOSE_CODES.SESSION_EXPIRED);
    this.log.info({ device: deviceId, code: 'SESSION_EXPIRED' }, 'desktop session ended');
  }

  /** Revokes a device: queue dropped at once; if connected, it gets its wipe command and is closed. */
  revoke(deviceId: DeviceId, wipe: Uint8Array | undefined): void {
    this.directory.retire(deviceId, 'revoked');
    this.queue.dropDevice(deviceId);
    const link = this.router?.link(deviceId);
    if (link) {
      const peer = link.peer;
      this.router?.detach(link);
      if (wipe) peer.send({ t: 'wipe', w: wipe }, () => peer.close(CLOSE_CODES.REVOKED));
      else peer.close(CLOSE_CODES.REVOKED);
    }
    this.log.info({ device: deviceId, code: 'REVOKED', wipe: wipe !== undefined }, 'device revoked');
  }

  /** Ends every desktop session that is due (only those: nothing due costs one comparison). */
  sweep(): void {
    const now = this.clock.now();
    for (let device = this.#deadlines.popDue(now); device; device = this.#deadlines.popDue(now)) {
      // checkExpiry does nothing for an entry gone stale (revoked, already expired, a duplicate).
      // An entry earlier than the device's own end cannot happen (authorisedAt never changes);
      // if one did, the device is put back at its real deadline rather than forgotten.
      if (!this.checkExpiry(device, now)) this.#track(device);
    }
  }
}

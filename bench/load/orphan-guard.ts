/**
 * Benchmark children must never outlive the run: exit when the parent disappears (we get
 * re-parented) or after a hard lifetime, whichever comes first.
 */
export function guardAgainstOrphaning(maxLifetimeMs: number): void {
  const parent = process.ppid;
  const poll = setInterval(() => {
    if (process.ppid !== parent) process.exit(3);
  }, 500);
  poll.unref();
  setTimeout(() => process.exit(4), maxLifetimeMs).unref();
  process.on('disconnect', () => process.exit(0));
  // Exit through process.exit so --cpu-prof profiles are written.
  process.once('SIGTERM', () => process.exit(0));
}

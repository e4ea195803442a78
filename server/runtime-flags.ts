/**
 * The V8 options the relay runs with, wherever it is started: `npm run relay`, the systemd unit,
 * the multi-node command in docs/deployment.md and the benchmarks (a test keeps them in step).
 *
 * `--max-semi-space-size=4` caps V8's young generation at 4 MiB per semi-space. Left alone, V8
 * grows it to its 16 MiB maximum during a burst of authentications (pure-JS signature checks
 * allocate heavily) and may keep it long after: with 1,000 connections that was 17–27 KiB of RSS
 * per idle connection, against 5.8 KiB with the cap (docs/performance.md). The relay's garbage
 * per envelope is small and short-lived, so the smaller young generation costs little in
 * throughput (measured in docs/performance.md).
 */
export const RELAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

import type { ChildProcess } from 'node:child_process';

/**
 * Resolves with the first line of a child's stdout that matches `pattern` (the relay and the
 * web host print their URL that way); rejects if the child exits or the time runs out first.
 */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => finish(new Error(`no line matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const match = pattern.exec(line);
        if (match) return finish(undefined, match);
      }
    };
    const onExit = (code: number | null): void => finish(new Error(`process exited (${code ?? 'signal'}) before printing ${pattern}`));
    function finish(err: Error | undefined, match?: RegExpMatchArray): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(match!);
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

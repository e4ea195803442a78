import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every regular file below `dir` (none if it does not exist), for grepping data directories for planted text. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

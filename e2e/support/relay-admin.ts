import { openClient } from '../../server/testing/fixtures';
import type { RelayClient } from '../../src/shared/wire/relay-client';

/** The relay closes connections that do not authenticate within 10 s: one connection per admin action, as the CLI does. */
export async function asRelayAdmin<T>(relayUrl: string, run: (admin: RelayClient) => Promise<T>): Promise<T> {
  const admin = await openClient(relayUrl);
  try {
    return await run(admin);
  } finally {
    admin.close();
  }
}

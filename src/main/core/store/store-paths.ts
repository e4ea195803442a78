import { join } from 'node:path';
import { zAccountId, type AccountId } from '../../../shared/protocol/ids';
import { StoreError } from './store-error';

/** Where one linked account's data lives on this workstation; everything under it is encrypted. */
export interface StorePaths {
  readonly accountDir: string;
  readonly dbPath: string;
  readonly attachmentsDir: string;
}

export function storePaths(dataDir: string, accountId: AccountId): StorePaths {
  // The id becomes a directory name: it must be the 32-hex form, never a path fragment.
  if (!zAccountId.safeParse(accountId).success) throw new StoreError('BAD_ARGUMENT', 'account id is not a valid id');
  const accountDir = join(dataDir, 'accounts', accountId);
  return { accountDir, dbPath: join(accountDir, 'wardline.db'), attachmentsDir: join(accountDir, 'attachments') };
}

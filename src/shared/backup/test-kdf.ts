/** Cheap KDF parameters for tests only: the production path always uses BACKUP_KDF_PARAMS. */
import type { KdfParams } from './backup-kdf';

export const TEST_KDF_PARAMS: KdfParams = { alg: 'argon2id', m: 64, t: 1, p: 1 };

/**
 * `npm run admin -- <command> --key FILE [--relay ws://…]` — the verification authority's tool.
 *   keygen                                         new authority key file; prints the public key
 *   verify <accountId> --level identity|registration [--big N | --riziv N]
 *          --name N --profession P [--organisation O] [--city C] [--identity-key HEX] [--days D]
 *                                                  issues + publishes; prints the attestation id
 *   revoke <attestationId>… [--state FILE]         publishes the next revocation list; prints its serial
 * Results go to stdout; errors (codes only) to stderr with exit code 1 (2 for usage).
 */
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { hexToBytes } from '../shared/bytes';
import { systemClock } from '../shared/clock';
import { isWardlineError } from '../shared/errors';
import { DAY_MS } from '../shared/limits';
import { zAccountId } from '../shared/protocol/ids';
import { parseRegistration, type Registration } from '../shared/trust/registration-number';
import { VERIFICATION_LEVELS, type VerificationLevel } from '../shared/trust/verification-attestation';
import { RelayClient } from '../shared/wire/relay-client';
import { revokeAttestations, verifyAccount } from './authority-admin';
import { AdminError, generateAuthorityKey, loadAuthorityKey } from './authority-key';

const USAGE = 'usage: admin keygen|verify <accountId> --level …|revoke <attestationId>… --key FILE [--relay ws://…]';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  strict: true,
  options: {
    key: { type: 'string' },
    relay: { type: 'string', default: 'ws://127.0.0.1:8787' },
    level: { type: 'string' },
    big: { type: 'string' },
    riziv: { type: 'string' },
    name: { type: 'string' },
    profession: { type: 'string', default: '' },
    organisation: { type: 'string' },
    city: { type: 'string' },
    'identity-key': { type: 'string' },
    days: { type: 'string' },
    state: { type: 'string' },
  },
});

const out = (line: string): void => void process.stdout.write(`${line}\n`);

function usage(why: string): never {
  process.stderr.write(`admin: ${why}\n${USAGE}\n`);
  process.exit(2);
}

function registration(): Registration | undefined {
  if (values.big && values.riziv) usage('give --big or --riziv, not both');
  const [scheme, input] = values.big ? (['BIG', values.big] as const) : values.riziv ? (['RIZIV', values.riziv] as const) : [undefined, undefined];
  if (!scheme) return undefined;
  const r = parseRegistration(scheme, input);
  if (!r) throw new AdminError('BAD_ARGUMENT', `invalid ${scheme} number`);
  return r;
}

async function withRelay<T>(run: (relay: RelayClient) => Promise<T>): Promise<T> {
  const relay = await RelayClient.connect({ url: values.relay, connect: (u) => new WebSocket(u) });
  try {
    return await run(relay);
  } finally {
    relay.close();
  }
}

async function main(): Promise<void> {
  const [command, ...args] = positionals;
  if (!values.key) usage('--key FILE is required');
  switch (command) {
    case 'keygen':
      out(Buffer.from(generateAuthorityKey(values.key).publicKey).toString('hex'));
      return;
    case 'verify': {
      const accountId = zAccountId.safeParse(args[0]);
      if (!accountId.success) usage('verify needs an account id');
      const level = values.level as VerificationLevel;
      if (!VERIFICATION_LEVELS.includes(level)) usage('--level identity|registration');
      if (!values.name) usage('--name is required');
      const reg = registration();
      if (level === 'registration' && !reg) usage('--level registration needs --big or --riziv');
      const days = values.days === undefined ? undefined : Number(values.days);
      if (days !== undefined && !(days > 0)) usage('--days must be positive');
      const key = loadAuthorityKey(values.key);
      const result = await withRelay((relay) =>
        verifyAccount(relay, key, systemClock, {
          accountId: accountId.data,
          claims: {
            level,
            name: values.name!,
            profession: values.profession,
            ...(reg ? { registration: reg } : {}),
            ...(values.organisation ? { organisation: values.organisation } : {}),
            ...(values.city ? { city: values.city } : {}),
          },
          ...(values['identity-key'] ? { identityKey: hexToBytes(values['identity-key']) } : {}),
          ...(days !== undefined ? { validityMs: Math.round(days * DAY_MS) } : {}),
        }),
      );
      out(result.attestationId);
      return;
    }
    case 'revoke': {
      const key = loadAuthorityKey(values.key);
      const result = await withRelay((relay) => revokeAttestations(relay, key, systemClock, values.state ?? `${values.key}.revocations.json`, args));
      out(String(result.serial));
      return;
    }
    default:
      usage(`unknown command ${command ?? ''}`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`admin: ${isWardlineError(e) ? e.code : 'INTERNAL'}${e instanceof Error && isWardlineError(e) ? ` (${e.message})` : ''}\n`);
  process.exit(1);
});

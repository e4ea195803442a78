/**
 * `npm run phone -- <command> --data DIR [--relay ws://…]`
 *   create [--name N] [--profession P]      new account; prints its account id
 *   pair <wardline://p/…> [--yes | --code NNNNNN]   shows desktop name + code, asks to approve
 *   send <accountId> <text>                  prints the message id
 *   listen [--count N] [--timeout-ms MS]     prints received messages
 *   revoke <deviceId>                        wipes and unlinks a desktop
 *   desktops                                 lists linked desktops
 *   whoami                                   prints account and device id
 * Results go to stdout; diagnostics (ids and codes only) to stderr.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { isWardlineError } from '../shared/errors';
import { zAccountId, zDeviceId } from '../shared/protocol/ids';
import type { PairingRequest } from '../shared/protocol/pairing';
import { CompanionPhone, type PhoneLog } from './companion-phone';
import type { ReceivedMessage } from './message-inbox';

const USAGE = 'usage: phone create|pair <url>|send <accountId> <text>|listen|revoke <deviceId>|desktops|whoami --data DIR [--relay ws://...]';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  strict: true,
  options: {
    data: { type: 'string' },
    relay: { type: 'string' },
    name: { type: 'string' },
    profession: { type: 'string' },
    yes: { type: 'boolean' },
    code: { type: 'string' },
    count: { type: 'string' },
    'timeout-ms': { type: 'string' },
    verbose: { type: 'boolean' },
  },
});

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const log: PhoneLog = (event, fields) => {
  if (values.verbose) process.stderr.write(`${JSON.stringify({ event, ...fields })}\n`);
};

function formatCode(code: string): string {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}

function describe(m: ReceivedMessage): string {
  const c = m.content;
  switch (c.kind) {
    case 'text':
      return m.ownCopy ? `text ${c.id} sent-from-other-device to ${c.to}: ${c.body}` : `text ${c.id} from ${m.from}: ${c.body}`;
    case 'receipt':
      return `receipt ${c.receipt} from ${m.from} for ${c.ids.join(',')}`;
    case 'profile':
      return `profile from ${m.from}`;
  }
}

async function approveInteractively(req: PairingRequest): Promise<boolean> {
  out(`desktop "${req.desktopName}" confirmation code ${formatCode(req.confirmationCode)}`);
  if (values.code !== undefined) return values.code.replace(/\s/g, '') === req.confirmationCode;
  if (values.yes) return true;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question('Does the desktop show the same code? Approve? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function main(): Promise<number> {
  const [command, ...args] = positionals;
  const dataDir = values.data;
  if (!command || !dataDir) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const base = { dataDir, log, ...(values.relay ? { relayUrl: values.relay } : {}) };
  if (command === 'create') {
    if (!values.relay) throw new Error('create needs --relay');
    const phone = await CompanionPhone.create({ ...base, relayUrl: values.relay, profile: { displayName: values.name ?? 'Companion phone', profession: values.profession ?? '' } });
    out(`account ${phone.accountId}`);
    out(`device ${phone.deviceId}`);
    await phone.close();
    return 0;
  }
  const phone = await CompanionPhone.open({ ...base, receive: command === 'listen' });
  try {
    switch (command) {
      case 'pair': {
        const [url] = args;
        if (!url) throw new Error('pair needs a wardline://p/… URL');
        const r = await phone.pairDesktop(url, { approve: approveInteractively });
        out(`linked ${r.desktop.deviceId} "${r.desktop.name}" database-key ${r.databaseKeyReused ? 'reused' : 'new'}`);
        return 0;
      }
      case 'send': {
        const [to, ...words] = args;
        if (!to || !words.length) throw new Error('send needs <accountId> <text>');
        out(`sent ${await phone.sendText(zAccountId.parse(to), words.join(' '))}`);
        return 0;
      }
      case 'listen': {
        const count = values.count ? Number(values.count) : Infinity;
        const timeoutMs = values['timeout-ms'] ? Number(values['timeout-ms']) : Infinity;
        let seen = 0;
        await new Promise<void>((resolve) => {
          const print = (m: ReceivedMessage) => {
            out(describe(m));
            if (++seen >= count) resolve();
          };
          for (const m of phone.messages) print(m);
          phone.onMessage(print);
          if (Number.isFinite(timeoutMs)) setTimeout(resolve, timeoutMs);
          process.once('SIGINT', () => resolve());
        });
        return 0;
      }
      case 'revoke': {
        const [deviceId] = args;
        await phone.revokeDesktop(zDeviceId.parse(deviceId));
        out(`revoked ${deviceId}`);
        return 0;
      }
      case 'desktops':
        for (const d of phone.linkedDesktops) out(`${d.deviceId} "${d.name}" linked ${new Date(d.linkedAt).toISOString()}`);
        return 0;
      case 'whoami':
        out(`account ${phone.accountId}`);
        out(`device ${phone.deviceId}`);
        return 0;
      default:
        process.stderr.write(`${USAGE}\n`);
        return 2;
    }
  } finally {
    await phone.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`phone: ${isWardlineError(error) ? error.code : error instanceof Error ? error.message : 'failed'}\n`);
    process.exit(1);
  },
);

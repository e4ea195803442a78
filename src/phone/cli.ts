/**
 * `npm run phone -- <command> --data DIR [--relay ws://…]`
 *   create [--name N] [--profession P]      new account; prints its account id
 *   pair <wardline://p/…> [--yes | --code NNNNNN]   shows desktop name + code, asks to approve
 *   send <accountId> <text>                  prints the message id
 *   send-file <accountId> <path> [--type MIME]   encrypted attachment (images lose their metadata); prints the id
 *   listen ... [--save-dir DIR]              also fetches received attachments into DIR
 *   listen [--count N] [--timeout-ms MS]     prints received messages; backs up by itself meanwhile (--no-backup: not)
 *   revoke <deviceId>                        wipes and unlinks a desktop
 *   desktops                                 lists linked desktops
 *   whoami                                   prints account and device id
 *   restore --account ID --code CODE         new phone for an account, from its backup (docs/protocol.md §16)
 *   security-key                             prints the Backup & Restore code
 *   keep <messageId>                         keeps a message (it goes into the backup)
 *   backup [--force]                         uploads the backup when due (changed or a day old), or now
 *   rotate-code                              new code; the backup is replaced under it
 *   group <create|list|show|add|remove|role|leave|rename|send|discoverable|search|join|requests|approve> …   (src/phone/phone-groups-cli.ts)
 * Results go to stdout; diagnostics (ids and codes only) to stderr.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { isWardlineError } from '../shared/errors';
import { formatRecoveryCode, parseRecoveryCode } from '../shared/backup/recovery-code';
import { zMessageId } from '../shared/messages/message-id';
import { zAccountId, zDeviceId } from '../shared/protocol/ids';
import type { PairingRequest } from '../shared/protocol/pairing';
import { readPhoneFile, savePhoneFile } from './attachment-files';
import { CompanionPhone, type PhoneLog } from './companion-phone';
import type { ReceivedMessage } from './message-inbox';
import { describeGroupEvent, runGroupCommand } from './phone-groups-cli';

const USAGE = 'usage: phone create|pair <url>|send <accountId> <text>|listen|revoke <deviceId>|desktops|whoami|restore --account ID --code CODE|security-key|keep <id>|backup [--force]|rotate-code --data DIR [--relay ws://...]';

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
    type: { type: 'string' },
    'save-dir': { type: 'string' },
    verbose: { type: 'boolean' },
    account: { type: 'string' },
    force: { type: 'boolean' },
    'no-backup': { type: 'boolean' },
    broadcast: { type: 'boolean' },
    role: { type: 'string' },
    successor: { type: 'string' },
    description: { type: 'string' },
    note: { type: 'string' },
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
    case 'attachment':
      return `attachment ${c.id} from ${m.from}: ${c.mimeType} ${c.size} bytes`;
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
  if (command === 'restore') {
    if (!values.relay || !values.account || !values.code) throw new Error('restore needs --relay, --account and --code');
    const code = parseRecoveryCode(values.code);
    const phone = await CompanionPhone.restore({ ...base, relayUrl: values.relay, accountId: zAccountId.parse(values.account), code });
    out(`restored ${phone.accountId}`);
    out(`device ${phone.deviceId}`);
    out(`backup-from ${new Date(phone.backupCreatedAt).toISOString()}`);
    out(`kept-messages ${phone.keptMessageIds.length}`);
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
      case 'send-file': {
        const [to, path] = args;
        if (!to || !path) throw new Error('send-file needs <accountId> <path>');
        out(`sent ${await phone.sendAttachment(zAccountId.parse(to), await readPhoneFile(path, values.type))}`);
        return 0;
      }
      case 'listen': {
        const count = values.count ? Number(values.count) : Infinity;
        const timeoutMs = values['timeout-ms'] ? Number(values['timeout-ms']) : Infinity;
        let seen = 0;
        const saves: Promise<void>[] = [];
        if (!values['no-backup']) phone.startAutoBackup();
        phone.onDeviceNotice((n) => out(`notice ${n.kind} ${n.accountId}`));
        phone.groups.onEvent((e) => out(describeGroupEvent(e)));
        await new Promise<void>((resolve) => {
          const print = (m: ReceivedMessage) => {
            out(describe(m));
            const saveDir = values['save-dir'];
            if (saveDir && m.content.kind === 'attachment') {
              const content = m.content;
              saves.push(phone
                .fetchAttachment(content)
                .then((bytes) => savePhoneFile(saveDir, content, bytes))
                .then((path) => out(`saved ${content.id} ${path}`), (e: unknown) => log('attachment-fetch-failed', { code: isWardlineError(e) ? e.code : 'INTERNAL' })));
            }
            if (++seen >= count) resolve();
          };
          for (const m of phone.messages) print(m);
          phone.onMessage(print);
          if (Number.isFinite(timeoutMs)) setTimeout(resolve, timeoutMs);
          process.once('SIGINT', () => resolve());
        });
        await Promise.all(saves);
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
      case 'security-key':
        out(formatRecoveryCode(phone.backupCode));
        return 0;
      case 'keep': {
        const [id] = args;
        phone.keepMessage(zMessageId.parse(id));
        out(`kept ${id}`);
        return 0;
      }
      case 'backup': {
        const done = values.force ? await phone.backUp() : await phone.backUpIfDue();
        out(done ? `backed-up ${new Date(done.createdAt).toISOString()} chunks ${done.chunks}` : 'backup up to date');
        return 0;
      }
      case 'rotate-code':
        out(formatRecoveryCode(await phone.rotateBackupCode()));
        return 0;
      case 'group':
        return await runGroupCommand(phone, args, values, out);
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

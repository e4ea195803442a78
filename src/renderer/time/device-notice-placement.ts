/**
 * Puts a conversation's system lines ("<name> is using a new phone") into its timeline at their
 * time: after the last message sent at or before it, so it reads in order with the messages.
 */
import type { DeviceNotice } from '../../shared/api';
import type { TimelineItem } from './day-groups';

export type NoticeItem = { kind: 'notice'; key: string; notice: DeviceNotice };

export function withDeviceNotices<M extends { sentAt: number }>(items: readonly TimelineItem<M>[], notices: readonly DeviceNotice[]): (TimelineItem<M> | NoticeItem)[] {
  const out: (TimelineItem<M> | NoticeItem)[] = [...items];
  for (const notice of [...notices].sort((a, b) => a.at - b.at)) {
    let at = out.length;
    // Before the first message sent after the notice (and before that message's day separator).
    const next = out.findIndex((i) => i.kind === 'message' && i.message.sentAt > notice.at);
    if (next !== -1) at = next > 0 && out[next - 1]?.kind === 'day' ? next - 1 : next;
    out.splice(at, 0, { kind: 'notice', key: notice.id, notice });
  }
  return out;
}

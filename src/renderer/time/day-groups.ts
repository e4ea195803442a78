/** Day separators in the conversation view, by the workstation's local calendar day. */

export type TimelineItem<M> = { kind: 'day'; key: string; dayStart: number } | { kind: 'message'; key: string; message: M };

export function startOfLocalDay(at: number): number {
  const d = new Date(at);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** Inserts a separator before the first message of each day; messages must be in time order. */
export function withDaySeparators<M extends { id: string; sentAt: number }>(messages: readonly M[]): TimelineItem<M>[] {
  const items: TimelineItem<M>[] = [];
  let currentDay: number | undefined;
  for (const message of messages) {
    const day = startOfLocalDay(message.sentAt);
    if (day !== currentDay) {
      items.push({ kind: 'day', key: `day-${day}`, dayStart: day });
      currentDay = day;
    }
    items.push({ kind: 'message', key: message.id, message });
  }
  return items;
}

export type DayLabel = 'today' | 'yesterday' | 'date';

export function dayLabel(dayStart: number, now: number): DayLabel {
  const today = startOfLocalDay(now);
  if (dayStart === today) return 'today';
  // Subtracting 24 h would be wrong across a daylight-saving change; step back through the calendar.
  const d = new Date(today);
  const yesterday = new Date(d.getFullYear(), d.getMonth(), d.getDate() - 1).getTime();
  return dayStart === yesterday ? 'yesterday' : 'date';
}

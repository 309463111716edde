/** Display helpers for portal pages: dates for people, "due in n days" / "n days overdue". */
const dateFormat = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});
const dates = new Map<string, string>();

/** "Oct 31, 2026" for "2026-10-31" (cached: pages list the same dates many times). */
export function displayDate(d: string | null | undefined): string {
  if (!d) return '';
  let out = dates.get(d);
  if (out === undefined) {
    const t = Date.parse(`${d}T00:00:00Z`);
    out = Number.isNaN(t) ? d : dateFormat.format(t);
    if (dates.size > 10_000) dates.clear();
    dates.set(d, out);
  }
  return out;
}

export function dueText(daysOverdue: number): string {
  if (daysOverdue > 0) return `${daysOverdue} ${daysOverdue === 1 ? 'day' : 'days'} overdue`;
  if (daysOverdue === 0) return 'Due today';
  const n = -daysOverdue;
  return `Due in ${n} ${n === 1 ? 'day' : 'days'}`;
}

export const dueClass = (daysOverdue: number): string =>
  daysOverdue > 0 ? 'overdue' : daysOverdue >= -7 ? 'due-soon' : '';

export const portalFormat = { date: displayDate, dueText, dueClass };

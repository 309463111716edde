/** The task queue as CSV: one row per task, the same columns a clerk sees. */
import type { TaskView } from '../../../services/tasks';

const HEADER = [
  'Due date',
  'When',
  'Customer',
  'Kind',
  'Task',
  'Assignee',
  'Invoices',
  'Balance',
  'Phone',
  'Talking points',
];

/** RFC 4180 quoting; a text cell a spreadsheet would run as a formula is prefixed with '. */
function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function tasksCsv(list: readonly TaskView[]): string {
  const rows = list.map((t) => [
    t.dueDate,
    t.due,
    t.customerName,
    t.kind,
    t.title,
    t.assignee?.email ?? '',
    t.invoices.map((i) => i.number ?? i.id).join(' '),
    t.balances.map((b) => `${b.amount} ${b.currency}`).join(' + '),
    t.phone ?? '',
    t.talkingPoints.join(' | '),
  ]);
  return [HEADER, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** The task queue's plain forms → the tasks service's input (flat field names, no JavaScript needed). */
import { field, fields } from '../settings/common';

const PREFERENCE_FIELDS = {
  prefChannel: 'channel',
  prefHoursFrom: 'hoursFrom',
  prefHoursTo: 'hoursTo',
  prefTimezone: 'timezone',
  apContactName: 'apContactName',
  apContactEmail: 'apContactEmail',
  apContactPhone: 'apContactPhone',
  apPaymentPolicy: 'apPaymentPolicy',
  remarks: 'remarks',
} as const;

/** Build the completion input; the service validates it (and says which field is wrong). */
export function completionFromForm(body: unknown): Record<string, unknown> {
  const outcome = field(body, 'outcome');
  const input: Record<string, unknown> = {};
  if (outcome && outcome !== 'done') input.outcome = outcome;
  const note = field(body, 'note');
  if (note) input.note = note;
  const invoiceIds = fields(body, 'invoiceIds');
  if (outcome === 'promise') {
    input.promise = {
      ...(invoiceIds.length ? { invoiceIds } : {}),
      amount: field(body, 'promiseAmount'),
      promisedDate: field(body, 'promiseDate'),
    };
  }
  if (outcome === 'dispute') {
    input.dispute = {
      ...(invoiceIds.length ? { invoiceIds } : {}),
      category: field(body, 'disputeCategory'),
      message: field(body, 'disputeMessage'),
    };
  }
  if (outcome === 'wrong_number' && field(body, 'phone')) input.phone = field(body, 'phone');
  const preferences: Record<string, string> = {};
  for (const [name, key] of Object.entries(PREFERENCE_FIELDS)) {
    const v = field(body, name);
    if (v) preferences[key] = v;
  }
  if (Object.keys(preferences).length) input.preferences = preferences;
  return input;
}

export const TABS = ['mine', 'team', 'unassigned'] as const;
export type Tab = (typeof TABS)[number];
export const tabOf = (v: unknown): Tab => (TABS.includes(v as Tab) ? (v as Tab) : 'mine');

/** Where to go back after a form: the queue (with its tab) or a task's own page; nothing else. */
export function backTo(body: unknown): string {
  const back = field(body, 'back');
  if (/^\/tasks\/[0-9a-f-]{36}$/.test(back)) return back;
  return `/tasks?tab=${tabOf(field(body, 'tab'))}`;
}

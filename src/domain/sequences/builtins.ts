/**
 * Built-in sequences a firm starts with (gentle, standard, firm) and the onboarding sequence for a
 * newly synced customer. Template keys name the e-mail templates in views/emails and the task
 * templates (talking points for call and letter tasks) below.
 */
import type { Sequence } from './format';

export const BUILTIN_EMAIL_TEMPLATES = [
  'friendly-reminder',
  'due-today',
  'overdue',
  'final-notice',
  'welcome',
  'promise-check-in',
  'broken-promise',
] as const;
export type BuiltinEmailTemplate = (typeof BUILTIN_EMAIL_TEMPLATES)[number];

export interface TaskTemplate {
  title: string;
  talkingPoints: string[];
}

/** Call and letter tasks: what the clerk is asked to do and to say. */
export const BUILTIN_TASK_TEMPLATES: Readonly<Record<string, TaskTemplate>> = {
  'master-data-check': {
    title: 'Check the new customer’s billing details',
    talkingPoints: [
      'Billing e-mail address present and reachable',
      'Payment terms match the signed agreement',
      'Billing address complete (needed for letters)',
      'Fill any gap in the accounting system so the next sync carries it',
    ],
  },
  'intro-call': {
    title: 'Introductory call with the customer’s accounts payable',
    talkingPoints: [
      'Introduce yourself as their contact for invoices and payments',
      'Ask who approves and pays invoices (AP contact) and their payment run schedule',
      'Ask their preferred channel (e-mail, phone, letter), contact hours and time zone',
      'Ask whether invoices need a PO number or other reference to be approved',
      'Record the preferences on the customer so reminders follow them',
    ],
  },
  'overdue-call': {
    title: 'Call about overdue invoices',
    talkingPoints: [
      'Confirm the invoices were received and approved',
      'Ask for a payment date and record it as a promise to pay',
      'If something is disputed, record the dispute and what is needed to resolve it',
    ],
  },
  'first-late-call': {
    title: 'Courtesy call: a long-standing customer is late for the first time',
    talkingPoints: [
      'Thank them for the long relationship; this is a courtesy call, not a chase',
      'Check the invoice reached the right person and nothing is wrong with it',
      'Ask when payment is planned and record it as a promise to pay',
    ],
  },
  'reminder-letter': {
    title: 'Send a payment reminder by post',
    talkingPoints: [
      'Print a reminder listing the open invoices, what is owed and how to pay',
      'Post it to the billing address and note the posting date on the customer',
      'Ask in the letter for a billing e-mail address or phone number we may use',
    ],
  },
  'find-contact': {
    title: 'Find another way to reach the customer about open invoices',
    talkingPoints: [
      'Reminder e-mails cannot go out and there is no phone number or postal address on file',
      'Look for an accounts payable contact: the accounting system, the signed agreement, the sales contact',
      'Record a phone number or postal address on the customer in the books so the next sync carries it',
    ],
  },
  'final-letter': {
    title: 'Send the final notice by post',
    talkingPoints: [
      'Print the final notice with the open invoices and send it to the billing address',
      'Note the posting date on the customer',
    ],
  },
};

/** Task templates done at the desk, not on the phone: a "call" step with one needs no number. */
export const DESK_TASK_TEMPLATES: readonly string[] = ['master-data-check', 'find-contact'];

/** The planner's fallbacks where automation cannot reach (planner/channel.ts). */
export const REMINDER_LETTER_TEMPLATE = 'reminder-letter';
export const FIND_CONTACT_TEMPLATE = 'find-contact';

export const BUILTIN_TEMPLATE_KEYS: readonly string[] = [
  ...BUILTIN_EMAIL_TEMPLATES,
  ...Object.keys(BUILTIN_TASK_TEMPLATES),
];

export const GENTLE: Sequence = {
  key: 'gentle',
  name: 'Gentle',
  steps: [
    { key: 'pre-due', offsetDays: -3, channel: 'email', template: 'friendly-reminder', tone: 'friendly' },
    { key: 'overdue-3', offsetDays: 3, channel: 'email', template: 'overdue', tone: 'friendly' },
    { key: 'overdue-14', offsetDays: 14, channel: 'email', template: 'overdue', tone: 'firm' },
    { key: 'call-21', offsetDays: 21, channel: 'call', template: 'overdue-call', tone: 'firm' },
    { key: 'overdue-35', offsetDays: 35, channel: 'email', template: 'overdue', tone: 'firm' },
  ],
};

export const STANDARD: Sequence = {
  key: 'standard',
  name: 'Standard',
  default: true,
  steps: [
    { key: 'pre-due', offsetDays: -2, channel: 'email', template: 'friendly-reminder', tone: 'friendly' },
    { key: 'due', offsetDays: 0, channel: 'email', template: 'due-today', tone: 'friendly' },
    { key: 'overdue-3', offsetDays: 3, channel: 'email', template: 'overdue', tone: 'friendly' },
    { key: 'call-10', offsetDays: 10, channel: 'call', template: 'overdue-call', tone: 'firm' },
    { key: 'overdue-14', offsetDays: 14, channel: 'email', template: 'overdue', tone: 'firm' },
    { key: 'final-30', offsetDays: 30, channel: 'email', template: 'final-notice', tone: 'final' },
  ],
};

export const FIRM: Sequence = {
  key: 'firm',
  name: 'Firm',
  steps: [
    { key: 'pre-due', offsetDays: -5, channel: 'email', template: 'friendly-reminder', tone: 'friendly' },
    { key: 'due', offsetDays: 0, channel: 'email', template: 'due-today', tone: 'firm' },
    { key: 'overdue-1', offsetDays: 1, channel: 'email', template: 'overdue', tone: 'firm' },
    { key: 'call-5', offsetDays: 5, channel: 'call', template: 'overdue-call', tone: 'firm' },
    { key: 'overdue-7', offsetDays: 7, channel: 'email', template: 'overdue', tone: 'firm' },
    { key: 'final-14', offsetDays: 14, channel: 'email', template: 'final-notice', tone: 'final' },
    {
      key: 'letter-21',
      offsetDays: 21,
      channel: 'letter',
      template: 'final-letter',
      tone: 'final',
      conditions: { minBalance: '500' },
    },
  ],
};

/**
 * Onboarding: anchored on the customer's first invoice. The master-data check and the intro call are
 * tasks for the clerk; the check-in before the first due date asks for a promise to pay.
 */
export const ONBOARDING: Sequence = {
  key: 'onboarding',
  name: 'Onboarding',
  steps: [
    {
      key: 'master-data-check',
      offsetDays: 0,
      from: 'issue',
      channel: 'call',
      template: 'master-data-check',
    },
    { key: 'welcome', offsetDays: 0, from: 'issue', channel: 'email', template: 'welcome', tone: 'friendly' },
    {
      key: 'intro-call',
      offsetDays: 2,
      from: 'issue',
      channel: 'call',
      template: 'intro-call',
      tone: 'friendly',
    },
    {
      key: 'first-due-check-in',
      offsetDays: -5,
      channel: 'email',
      template: 'promise-check-in',
      tone: 'friendly',
    },
  ],
};

export const BUILTIN_SEQUENCES: readonly Sequence[] = [GENTLE, STANDARD, FIRM, ONBOARDING];

/** Input and output of the reminder planner (CONTRACT.md §4 `plan`, plus what the runner needs). */
import { z } from 'zod';
import type { LocalDate } from '../calendar';
import type { Sequence, SequenceChannel, Tone } from '../sequences/format';

export type AutomationMode = 'off' | 'preview' | 'live';

/** The firm's send rules, as stored in `organizations.settings.sendRules`. */
export const sendRulesSchema = z.strictObject({
  /** Local hour used when the customer has no preferred hour. */
  defaultHour: z.number().int().min(0).max(23).default(9),
  /** No message is sent in [start, end) local time (start > end wraps midnight). */
  quietHours: z
    .strictObject({ start: z.number().int().min(0).max(23), end: z.number().int().min(0).max(23) })
    .nullable()
    .default({ start: 20, end: 8 }),
  /** At least this many calendar days between two automatic messages to one customer (0 = off). */
  minGapDays: z.number().int().min(0).max(60).default(2),
  /** At most this many automatic messages to one customer in 7 days (null = no cap). */
  weeklyCap: z.number().int().min(1).max(50).nullable().default(3),
});
export type SendRules = z.infer<typeof sendRulesSchema>;

export const humanTouchRuleSchema = z.strictObject({
  /** A customer with invoices going back at least this many years… */
  minYears: z.number().int().min(1).max(50),
  /** …who has never paid late gets a call task instead of the first overdue e-mail. */
  template: z.string().min(1).default('first-late-call'),
});
export type HumanTouchRule = z.infer<typeof humanTouchRuleSchema>;

export interface PlannerFirm {
  timezone: string;
  /** ISO country, optionally with a region ("US", "GB", "DE-BY"): its holidays are not business days. */
  country: string;
  automation: AutomationMode;
  /** When true, `live` covers only pilot customers (flag or tag); the rest stay in preview. */
  pilotActive: boolean;
  pilotTags?: readonly string[];
  sendRules: SendRules;
  humanTouch: HumanTouchRule | null;
  /** Sequence by customer tag, first match wins; used when the customer has none by hand. */
  sequenceByTag?: readonly { tag: string; sequenceKey: string }[];
  /** Sequence run, in addition, on the invoice that anchors a new customer's onboarding. */
  onboardingSequenceKey?: string | null;
}

export type ConnectionStatus = 'connected' | 'needs_reconnect';

export interface PlannerCustomer {
  id: string;
  tags: readonly string[];
  timezone: string | null;
  preferredHour: number | null;
  preferredChannel: SequenceChannel | null;
  pilot: boolean;
  /** Inclusive: nothing is planned up to and including this date. */
  pausedUntil: LocalDate | null;
  /** Every contact has unsubscribed from reminders: e-mail steps become call tasks. */
  optedOut: boolean;
  /** At least one contact with a deliverable e-mail address. */
  hasEmail: boolean;
  hasPhone: boolean;
  /** A complete postal address (street, town, postcode or country): letters can reach it. */
  hasAddress?: boolean;
  connectionStatus: ConnectionStatus;
  /** Sequence chosen by hand; null = by tag, else the firm's default. */
  sequenceKey: string | null;
  /** Instants (ISO) of recent automatic messages to this customer, for the gap and the weekly cap. */
  recentContacts: readonly string[];
  /** Issue date of the customer's oldest invoice (for the human-touch rule). */
  customerSince: LocalDate | null;
  /** The customer has paid late before (then the human-touch rule does not apply). */
  lateBefore: boolean;
  /** Invoice that anchors this customer's onboarding sequence, if onboarding is running. */
  onboardingInvoiceId?: string | null;
}

export interface PlannerSequence extends Sequence {
  version: number;
}

export type PlannerInvoiceStatus = 'open' | 'paid' | 'voided' | 'deleted';

export interface PlannerInvoice {
  id: string;
  customerId: string;
  issueDate: LocalDate;
  dueDate: LocalDate;
  /** Decimal string. */
  balance: string;
  currency: string;
  status: PlannerInvoiceStatus;
  disputed: boolean;
  promise: { until: LocalDate; graceDays: number } | null;
  /** Keys of steps already done for this invoice, whatever the sequence version. */
  doneStepKeys: readonly string[];
}

export interface PlannerInput {
  /**
   * The moment of planning (ISO instant or Date), or a date YYYY-MM-DD meaning that calendar day in
   * every customer's own zone (actions of that day are planned whatever their hour).
   */
  asOf: string | Date;
  firm: PlannerFirm;
  customers: readonly PlannerCustomer[];
  sequences: readonly PlannerSequence[];
  invoices: readonly PlannerInvoice[];
}

export const SKIP_REASONS = [
  'paid',
  'voided',
  'deleted',
  'disputed',
  'promised',
  'paused',
  'opted_out',
  'not_due',
  'needs_reconnect',
  'min_gap',
  'weekly_cap',
  'no_contact',
  'automation_off',
  'condition_not_met',
  'superseded',
  'no_sequence',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Why an action's channel differs from its step's. */
export type ChannelReason = 'human_touch' | 'opted_out' | 'no_email' | 'no_phone' | 'preferred_channel';

export interface PlannedAction {
  customerId: string;
  /** Sorted. */
  invoiceIds: string[];
  sequenceKey: string;
  sequenceVersion: number;
  stepKey: string;
  channel: SequenceChannel;
  /** ISO instant in UTC. */
  sendAt: string;
  live: boolean;
  /** The step's template, or the human-touch task template. */
  template: string | null;
  tone: Tone | null;
  channelReason: ChannelReason | null;
  /** customer + sequence + version + step + invoice set: unique per message or task. */
  idempotencyKey: string;
}

export interface SkippedInvoice {
  invoiceId: string;
  reason: SkipReason;
  customerId: string;
  sequenceKey?: string;
  stepKey?: string;
}

export interface PlannerOutput {
  /** The input's date, or the instant in ISO UTC. */
  asOf: string;
  actions: PlannedAction[];
  skipped: SkippedInvoice[];
  /** When the sweep should look at each invoice again (null: only when something changes). */
  nextActionAt: { invoiceId: string; at: string | null }[];
}

/**
 * The reminder planner: a pure function from invoices, customers, sequences, the firm's rules and
 * a moment to the actions due now and the invoices skipped with a reason (CONTRACT.md §4 `plan`).
 */
import { daysBetween, isLocalDate, type LocalDate } from '../calendar';
import { chooseChannel, humanTouchApplies } from './channel';
import { conditionsMet } from './conditions';
import { checkContactLimits, contactDatesOf, isMessageChannel } from './contactLimits';
import { createClockFactory, type CustomerClock } from './context';
import { invoiceGate, isLive, sequenceKeyFor } from './gates';
import { idempotencyKey } from './idempotency';
import { decideStep, scheduleSteps, type ScheduledStep, type StepDecision } from './stepSchedule';
import type {
  ChannelReason,
  PlannedAction,
  PlannerCustomer,
  PlannerInput,
  PlannerInvoice,
  PlannerOutput,
  PlannerSequence,
  SkippedInvoice,
} from './types';
import type { SequenceChannel, Tone } from '../sequences/format';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

interface Candidate {
  customer: PlannerCustomer;
  clock: CustomerClock;
  sequence: PlannerSequence;
  stepKey: string;
  offsetDays: number;
  channel: SequenceChannel;
  channelReason: ChannelReason | null;
  template: string | null;
  tone: Tone | null;
  sendAt: Date;
  sendDate: LocalDate;
  invoiceIds: string[];
}

export function plan(input: PlannerInput): PlannerOutput {
  const asOfDay = typeof input.asOf === 'string' && DATE_ONLY.test(input.asOf) ? input.asOf : null;
  if (asOfDay !== null && !isLocalDate(asOfDay)) throw new RangeError(`asOf is not a date: ${asOfDay}`);
  const asOf = typeof input.asOf === 'string' ? new Date(input.asOf) : input.asOf;
  if (Number.isNaN(asOf.getTime())) throw new RangeError(`asOf is not an instant: ${String(input.asOf)}`);
  const { firm } = input;
  const clockOf = createClockFactory(firm, asOfDay ?? asOf);

  const customers = new Map(input.customers.map((c) => [c.id, c]));
  const sequences = new Map(input.sequences.map((s) => [s.key, s]));
  const defaultKey = input.sequences.find((s) => s.default)?.key ?? null;
  const onboarding = firm.onboardingSequenceKey ? sequences.get(firm.onboardingSequenceKey) : undefined;

  const skipped: SkippedInvoice[] = [];
  const next = new Map<string, Date | null>();
  const candidates = new Map<string, Candidate>();
  const clocks = new Map<string, CustomerClock>();
  // Many invoices share a due date, a zone and a send hour: schedules and (for sequences without
  // conditions) decisions are computed once per such combination.
  const schedules = new Map<string, ScheduledStep[]>();
  const decisions = new Map<string, StepDecision>();
  const hasConditions = new Map(input.sequences.map((q) => [q, q.steps.some((st) => st.conditions)]));

  const noteNext = (invoiceId: string, at: Date | null) => {
    if (!next.has(invoiceId)) next.set(invoiceId, at);
    const cur = next.get(invoiceId) ?? null;
    if (at && (!cur || at < cur)) next.set(invoiceId, at);
  };

  for (const invoice of input.invoices) {
    const customer = customers.get(invoice.customerId);
    if (!customer) {
      skipped.push({ invoiceId: invoice.id, reason: 'no_contact', customerId: invoice.customerId });
      next.set(invoice.id, null);
      continue;
    }
    let clock = clocks.get(customer.id);
    if (!clock) {
      clock = clockOf(customer);
      clocks.set(customer.id, clock);
    }
    const gate = invoiceGate(invoice, customer, firm, clock.today);
    if (!gate.open) {
      skipped.push({ invoiceId: invoice.id, reason: gate.reason, customerId: customer.id });
      next.set(invoice.id, gate.reopens ? clock.slot(gate.reopens).instant : null);
      continue;
    }
    const runs: PlannerSequence[] = [];
    const key = sequenceKeyFor(customer, firm, defaultKey);
    const main = key ? sequences.get(key) : undefined;
    if (main) runs.push(main);
    if (onboarding && customer.onboardingInvoiceId === invoice.id && onboarding !== main)
      runs.push(onboarding);
    if (runs.length === 0) {
      skipped.push({ invoiceId: invoice.id, reason: 'no_sequence', customerId: customer.id });
      next.set(invoice.id, null);
      continue;
    }
    for (const sequence of runs) {
      planInvoiceStep(invoice, customer, clock, sequence, gate.balance);
    }
  }

  function decide(
    invoice: PlannerInvoice,
    customer: PlannerCustomer,
    clock: CustomerClock,
    sequence: PlannerSequence,
    balance: bigint,
  ): StepDecision {
    const scheduleKey = `${sequence.key}@${sequence.version}|${clock.hour}|${clock.zone}|${clock.today}|${invoice.issueDate}|${invoice.dueDate}`;
    let steps = schedules.get(scheduleKey);
    if (!steps) {
      steps = scheduleSteps(sequence, invoice, clock);
      schedules.set(scheduleKey, steps);
    }
    const done = new Set(invoice.doneStepKeys);
    if (hasConditions.get(sequence)) {
      const facts = { balance, tags: customer.tags, daysOverdue: daysBetween(invoice.dueDate, clock.today) };
      return decideStep(steps, done, clock, (st) => conditionsMet(st.conditions, facts));
    }
    const decisionKey = `${scheduleKey}|${[...done].sort().join(',')}`;
    let d = decisions.get(decisionKey);
    if (!d) {
      d = decideStep(steps, done, clock, () => true);
      decisions.set(decisionKey, d);
    }
    return d;
  }

  function planInvoiceStep(
    invoice: PlannerInvoice,
    customer: PlannerCustomer,
    clock: CustomerClock,
    sequence: PlannerSequence,
    balance: bigint,
  ): void {
    const decision = decide(invoice, customer, clock, sequence, balance);
    const base = { invoiceId: invoice.id, customerId: customer.id, sequenceKey: sequence.key };
    if (decision.kind === 'wait') {
      skipped.push({
        ...base,
        reason: decision.reason,
        ...(decision.stepKey ? { stepKey: decision.stepKey } : {}),
      });
      noteNext(invoice.id, decision.nextAt);
      return;
    }
    for (const s of decision.superseded) {
      skipped.push({
        invoiceId: invoice.id,
        reason: 'superseded',
        customerId: customer.id,
        sequenceKey: sequence.key,
        stepKey: s.step.key,
      });
    }
    for (const { step } of decision.chosen) {
      const touch = {
        applies: humanTouchApplies(firm, customer, sequence, step, clock.today),
        template: firm.humanTouch?.template ?? 'first-late-call',
      };
      const choice = chooseChannel(step, customer, touch);
      if (!choice.ok) {
        skipped.push({ ...base, reason: choice.reason, stepKey: step.key });
        noteNext(invoice.id, null);
        continue;
      }
      // the step's e-mail is skipped for the opt-out; the task planned below takes its place
      if (choice.optedOut) skipped.push({ ...base, reason: 'opted_out', stepKey: step.key });
      const groupKey = [customer.id, sequence.key, step.key, choice.channel, decision.slot.date].join('|');
      const existing = candidates.get(groupKey);
      if (existing) {
        existing.invoiceIds.push(invoice.id);
        continue;
      }
      candidates.set(groupKey, {
        customer,
        clock,
        sequence,
        stepKey: step.key,
        offsetDays: step.from === 'issue' ? -1000 : step.offsetDays,
        channel: choice.channel,
        channelReason: choice.reason,
        template: choice.template,
        tone: step.tone ?? null,
        sendAt: decision.slot.instant,
        sendDate: decision.slot.date,
        invoiceIds: [invoice.id],
      });
    }
  }

  // Gap and weekly cap per customer: the most advanced step goes first, the rest wait.
  const ordered = [...candidates.values()].sort(
    (a, b) =>
      a.customer.id.localeCompare(b.customer.id) ||
      a.sendAt.getTime() - b.sendAt.getTime() ||
      b.offsetDays - a.offsetDays ||
      a.stepKey.localeCompare(b.stepKey),
  );
  const contactDates = new Map<string, string[]>();
  const actions: PlannedAction[] = [];
  for (const c of ordered) {
    const invoiceIds = [...c.invoiceIds].sort();
    if (isMessageChannel(c.channel)) {
      let dates = contactDates.get(c.customer.id);
      if (!dates) {
        dates = contactDatesOf(c.customer.recentContacts, c.clock.zone);
        contactDates.set(c.customer.id, dates);
      }
      const limit = checkContactLimits(c.sendDate, dates, firm.sendRules);
      if (!limit.ok) {
        const reopensAt = c.clock.slot(limit.reopens).instant;
        for (const id of invoiceIds) {
          skipped.push({
            invoiceId: id,
            reason: limit.reason,
            customerId: c.customer.id,
            sequenceKey: c.sequence.key,
            stepKey: c.stepKey,
          });
          noteNext(id, reopensAt);
        }
        continue;
      }
      dates.push(c.sendDate);
    }
    for (const id of invoiceIds) noteNext(id, c.sendAt);
    actions.push({
      customerId: c.customer.id,
      invoiceIds,
      sequenceKey: c.sequence.key,
      sequenceVersion: c.sequence.version,
      stepKey: c.stepKey,
      channel: c.channel,
      sendAt: c.sendAt.toISOString(),
      live: isLive(c.customer, firm),
      template: c.template,
      tone: c.tone,
      channelReason: c.channelReason,
      idempotencyKey: idempotencyKey(
        c.customer.id,
        c.sequence.key,
        c.sequence.version,
        c.stepKey,
        invoiceIds,
      ),
    });
  }

  return {
    asOf: asOfDay ?? asOf.toISOString(),
    actions,
    skipped,
    nextActionAt: input.invoices.map((inv) => {
      const at = next.get(inv.id) ?? null;
      return { invoiceId: inv.id, at: at ? at.toISOString() : null };
    }),
  };
}

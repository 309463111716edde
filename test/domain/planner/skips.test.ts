import { plan, type PlannerSequence } from '../../../src/domain/planner';
import { customer, doneBefore, firm, input, invoice, standardV1 } from './fixtures';

const AS_OF = '2026-06-15T15:00:00Z'; // Monday; an invoice due 12 June is 3 days overdue
const due12 = (over = {}, c = 'c1') =>
  invoice(c, '2026-06-12', { doneStepKeys: doneBefore('overdue-3'), ...over });

function reasonsOf(out: ReturnType<typeof plan>) {
  return out.skipped.map((s) => s.reason);
}

describe('plan: skip reasons', () => {
  it.each([['paid'], ['voided'], ['deleted']] as const)('skips an invoice that is %s', (status) => {
    const out = plan(input({ asOf: AS_OF, invoices: [due12({ status })] }));
    expect(out.actions).toEqual([]);
    expect(reasonsOf(out)).toEqual([status]);
    expect(out.nextActionAt[0]?.at).toBeNull();
  });

  it('skips an open invoice whose balance is zero as paid', () => {
    const out = plan(input({ asOf: AS_OF, invoices: [due12({ balance: '0.00' })] }));
    expect(reasonsOf(out)).toEqual(['paid']);
  });

  it('skips a disputed invoice', () => {
    expect(reasonsOf(plan(input({ asOf: AS_OF, invoices: [due12({ disputed: true })] })))).toEqual([
      'disputed',
    ]);
  });

  it('skips a promised invoice until the promise date plus grace, then resumes', () => {
    const i = due12({ promise: { until: '2026-06-15', graceDays: 2 } });
    const during = plan(input({ asOf: '2026-06-17T15:00:00Z', invoices: [i] }));
    expect(reasonsOf(during)).toEqual(['promised']);
    expect(during.nextActionAt[0]?.at).toBe('2026-06-18T13:00:00.000Z');
    const after = plan(input({ asOf: '2026-06-18T15:00:00Z', invoices: [i] }));
    expect(after.actions.map((a) => a.stepKey)).toEqual(['overdue-3']);
  });

  it('skips a paused customer through the pause date', () => {
    const c = customer('c1', { pausedUntil: '2026-06-15' });
    const out = plan(input({ asOf: AS_OF, customers: [c], invoices: [due12()] }));
    expect(reasonsOf(out)).toEqual(['paused']);
    expect(out.nextActionAt[0]?.at).toBe('2026-06-16T13:00:00.000Z');
  });

  it('turns e-mail into a call task for an opted-out customer with a phone, reporting the e-mail skipped', () => {
    const c = customer('c1', { optedOut: true });
    const inv = due12();
    const out = plan(input({ asOf: AS_OF, customers: [c], invoices: [inv] }));
    expect(out.actions.map((a) => [a.channel, a.channelReason, a.stepKey, a.template])).toEqual([
      ['call', 'opted_out', 'overdue-3', 'overdue'],
    ]);
    expect(out.skipped).toEqual([
      {
        invoiceId: inv.id,
        reason: 'opted_out',
        customerId: 'c1',
        sequenceKey: 'standard',
        stepKey: 'overdue-3',
      },
    ]);
  });

  it('sends a reminder letter to an opted-out customer with no phone but a postal address', () => {
    const c = customer('c1', { optedOut: true, hasPhone: false, hasAddress: true });
    const out = plan(input({ asOf: AS_OF, customers: [c], invoices: [due12()] }));
    expect(out.actions.map((a) => [a.channel, a.channelReason, a.template])).toEqual([
      ['letter', 'opted_out', 'reminder-letter'],
    ]);
    expect(reasonsOf(out)).toEqual(['opted_out']);
    expect(out.actions.some((a) => a.channel === 'email')).toBe(false);
  });

  it('asks a clerk to find another channel for an opted-out customer with no phone and no address', () => {
    const c = customer('c1', { optedOut: true, hasPhone: false, hasAddress: false });
    const out = plan(input({ asOf: AS_OF, customers: [c], invoices: [due12()] }));
    expect(out.actions.map((a) => [a.channel, a.channelReason, a.template, a.stepKey])).toEqual([
      ['call', 'opted_out', 'find-contact', 'overdue-3'],
    ]);
    expect(reasonsOf(out)).toEqual(['opted_out']);
  });

  it('never holds the task that replaces an opted-out e-mail for the gap or the weekly cap', () => {
    const c = customer('c1', {
      optedOut: true,
      hasPhone: false,
      recentContacts: ['2026-06-14T13:00:00Z', '2026-06-13T13:00:00Z', '2026-06-12T13:00:00Z'],
    });
    const f = firm({ sendRules: { defaultHour: 9, quietHours: null, minGapDays: 2, weeklyCap: 3 } });
    const out = plan(input({ asOf: AS_OF, firm: f, customers: [c], invoices: [due12()] }));
    expect(out.actions.map((a) => a.template)).toEqual(['find-contact']);
  });

  it('skips as no_contact when there is neither an e-mail address, a phone nor a postal address', () => {
    const c = customer('c1', { hasEmail: false, hasPhone: false });
    expect(reasonsOf(plan(input({ asOf: AS_OF, customers: [c], invoices: [due12()] })))).toEqual([
      'no_contact',
    ]);
  });

  it('sends a letter when a customer has no e-mail address and no phone but a postal address', () => {
    const c = customer('c1', { hasEmail: false, hasPhone: false, hasAddress: true });
    const out = plan(input({ asOf: AS_OF, customers: [c], invoices: [due12()] }));
    expect(out.actions.map((a) => [a.channel, a.channelReason, a.template])).toEqual([
      ['letter', 'no_email', 'reminder-letter'],
    ]);
    expect(out.skipped).toEqual([]);
  });

  it('turns a call step into a letter when there is no phone but a postal address, else skips it', () => {
    const i = invoice('c1', '2026-06-05', { doneStepKeys: doneBefore('call-10') }); // 10 days overdue
    const letter = plan(
      input({
        asOf: AS_OF,
        customers: [customer('c1', { hasPhone: false, hasAddress: true })],
        invoices: [i],
      }),
    );
    expect(letter.actions.map((a) => [a.stepKey, a.channel, a.channelReason])).toEqual([
      ['call-10', 'letter', 'no_phone'],
    ]);
    const none = plan(
      input({ asOf: AS_OF, customers: [customer('c1', { hasPhone: false })], invoices: [i] }),
    );
    expect(none.actions).toEqual([]);
    expect(reasonsOf(none)).toEqual(['no_contact']);
  });

  it('makes a call task when the customer has no e-mail address but a phone', () => {
    const c = customer('c1', { hasEmail: false });
    const out = plan(input({ asOf: AS_OF, customers: [c], invoices: [due12()] }));
    expect(out.actions.map((a) => [a.channel, a.channelReason])).toEqual([['call', 'no_email']]);
  });

  it('follows a customer’s preference for letters', () => {
    const c = customer('c1', { preferredChannel: 'letter' });
    const out = plan(input({ asOf: AS_OF, customers: [c], invoices: [due12()] }));
    expect(out.actions.map((a) => [a.channel, a.channelReason])).toEqual([['letter', 'preferred_channel']]);
  });

  it('skips everything of a connection that needs reconnecting', () => {
    const c = customer('c1', { connectionStatus: 'needs_reconnect' });
    expect(reasonsOf(plan(input({ asOf: AS_OF, customers: [c], invoices: [due12()] })))).toEqual([
      'needs_reconnect',
    ]);
  });

  it('plans nothing when automation is off', () => {
    const out = plan(input({ asOf: AS_OF, firm: firm({ automation: 'off' }), invoices: [due12(), due12()] }));
    expect(out.actions).toEqual([]);
    expect(reasonsOf(out)).toEqual(['automation_off', 'automation_off']);
  });

  it('skips a step whose conditions are not met (balance below the minimum)', () => {
    const seq: PlannerSequence = {
      key: 'big',
      name: 'Big balances',
      default: true,
      version: 1,
      steps: [
        { key: 'call-big', offsetDays: 3, channel: 'call', conditions: { minBalance: '5000' } },
        {
          key: 'vip-mail',
          offsetDays: 3,
          channel: 'email',
          template: 'overdue',
          conditions: { tags: ['vip'] },
        },
      ],
    };
    const small = invoice('c1', '2026-06-12', { balance: '4999.99' });
    const big = invoice('c1', '2026-06-12', { balance: '5000' });
    const out = plan(input({ asOf: AS_OF, sequences: [seq], invoices: [small, big] }));
    expect(out.skipped).toEqual([
      {
        invoiceId: small.id,
        reason: 'condition_not_met',
        customerId: 'c1',
        sequenceKey: 'big',
        stepKey: 'vip-mail',
      },
    ]);
    expect(out.actions.map((a) => [a.stepKey, a.invoiceIds])).toEqual([['call-big', [big.id]]]);
  });

  it('checks days-overdue conditions against today', () => {
    const seq: PlannerSequence = {
      key: 'window',
      name: 'Window',
      default: true,
      version: 1,
      steps: [
        {
          key: 'late',
          offsetDays: 1,
          channel: 'email',
          template: 'overdue',
          conditions: { maxDaysOverdue: 5 },
        },
      ],
    };
    const recent = invoice('c1', '2026-06-12');
    const old = invoice('c1', '2026-06-01');
    const out = plan(input({ asOf: AS_OF, sequences: [seq], invoices: [recent, old] }));
    expect(out.actions.map((a) => a.invoiceIds)).toEqual([[recent.id]]);
    expect(reasonsOf(out)).toEqual(['condition_not_met']);
  });

  it('skips an invoice when the firm has no sequence for the customer', () => {
    const out = plan(
      input({ asOf: AS_OF, sequences: [{ ...standardV1, default: false }], invoices: [due12()] }),
    );
    expect(reasonsOf(out)).toEqual(['no_sequence']);
  });

  it('uses a sequence chosen by tag before the default, and by hand before the tag', () => {
    const firmSeq: PlannerSequence = {
      key: 'firm',
      name: 'Firm',
      version: 1,
      steps: [{ key: 'f-3', offsetDays: 3, channel: 'email', template: 'overdue' }],
    };
    const tagged = customer('c1', { tags: ['slow-payer'] });
    const byHand = customer('c2', { tags: ['slow-payer'], sequenceKey: 'standard' });
    const f = firm({ sequenceByTag: [{ tag: 'slow-payer', sequenceKey: 'firm' }] });
    const out = plan(
      input({
        asOf: AS_OF,
        firm: f,
        customers: [tagged, byHand],
        sequences: [standardV1, firmSeq],
        invoices: [due12(), due12({}, 'c2')],
      }),
    );
    expect(out.actions.map((a) => [a.customerId, a.sequenceKey, a.stepKey])).toEqual([
      ['c1', 'firm', 'f-3'],
      ['c2', 'standard', 'overdue-3'],
    ]);
  });
});

describe('plan: consolidation', () => {
  it('sends one message for all invoices of a customer reaching the same step on the same day', () => {
    const a = due12();
    const b = due12();
    const c = due12();
    const other = due12({}, 'c2');
    const out = plan(
      input({ asOf: AS_OF, customers: [customer('c1'), customer('c2')], invoices: [c, a, other, b] }),
    );
    expect(out.actions).toHaveLength(2);
    expect(out.actions[0]).toMatchObject({ customerId: 'c1', invoiceIds: [a.id, b.id, c.id].sort() });
    expect(out.actions[1]).toMatchObject({ customerId: 'c2', invoiceIds: [other.id] });
  });

  it('consolidates an invoice caught up today with one whose step falls today', () => {
    const missed = invoice('c1', '2026-06-11', { doneStepKeys: doneBefore('overdue-3') }); // fell due 14 June (Sunday) → 15
    const today = due12();
    const out = plan(input({ asOf: AS_OF, invoices: [missed, today] }));
    expect(out.actions.map((x) => x.invoiceIds)).toEqual([[missed.id, today.id].sort()]);
  });

  it('gives the same idempotency key to the same plan and a different one to another invoice set', () => {
    const a = due12();
    const b = due12();
    const one = plan(input({ asOf: AS_OF, invoices: [a, b] })).actions[0]?.idempotencyKey;
    const again = plan(input({ asOf: '2026-06-15T19:00:00Z', invoices: [b, a] })).actions[0]?.idempotencyKey;
    const onlyA = plan(input({ asOf: AS_OF, invoices: [a] })).actions[0]?.idempotencyKey;
    expect(one).toBeDefined();
    expect(again).toBe(one);
    expect(onlyA).not.toBe(one);
    expect(one).toMatch(/^c1:standard:v1:overdue-3:[0-9a-f]{32}$/);
  });
});

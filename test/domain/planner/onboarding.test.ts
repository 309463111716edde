import { plan } from '../../../src/domain/planner';
import { ONBOARDING } from '../../../src/domain/sequences/builtins';
import { customer, firm, input, invoice, standardV1 } from './fixtures';

const onboardingV1 = { ...ONBOARDING, version: 1 };
const f = firm({ onboardingSequenceKey: 'onboarding' });

describe('plan: onboarding a new customer', () => {
  it('on the first invoice’s issue date plans the master-data check task and the welcome e-mail together', () => {
    const i = invoice('c1', '2026-07-15', { issueDate: '2026-06-15' });
    const c = customer('c1', { onboardingInvoiceId: i.id });
    const out = plan(
      input({
        asOf: '2026-06-15T15:00:00Z',
        firm: f,
        customers: [c],
        sequences: [onboardingV1, standardV1],
        invoices: [i],
      }),
    );
    expect(out.actions.map((a) => [a.sequenceKey, a.stepKey, a.channel])).toEqual([
      ['onboarding', 'master-data-check', 'call'],
      ['onboarding', 'welcome', 'email'],
    ]);
    expect(out.skipped.map((s) => [s.sequenceKey, s.reason])).toEqual([['standard', 'not_due']]);
  });

  it('asks for a promise to pay five days before the first due date', () => {
    const i = invoice('c1', '2026-07-15', {
      issueDate: '2026-06-15',
      doneStepKeys: ['master-data-check', 'welcome', 'intro-call'],
    });
    const c = customer('c1', { onboardingInvoiceId: i.id });
    const out = plan(
      input({
        asOf: '2026-07-10T15:00:00Z',
        firm: f,
        customers: [c],
        sequences: [onboardingV1, standardV1],
        invoices: [i],
      }),
    );
    expect(out.actions.map((a) => [a.stepKey, a.template])).toEqual([
      ['first-due-check-in', 'promise-check-in'],
    ]);
  });

  it('does not run onboarding on the customer’s other invoices', () => {
    const first = invoice('c1', '2026-07-15', { issueDate: '2026-06-15' });
    const second = invoice('c1', '2026-07-15', { issueDate: '2026-06-15' });
    const c = customer('c1', { onboardingInvoiceId: first.id });
    const out = plan(
      input({
        asOf: '2026-06-15T15:00:00Z',
        firm: f,
        customers: [c],
        sequences: [onboardingV1, standardV1],
        invoices: [first, second],
      }),
    );
    expect(out.actions.every((a) => a.invoiceIds.length === 1 && a.invoiceIds[0] === first.id)).toBe(true);
  });
});

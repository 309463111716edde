import { STANDARD } from '../../../src/domain/sequences/builtins';
import type {
  PlannerCustomer,
  PlannerFirm,
  PlannerInput,
  PlannerInvoice,
  PlannerSequence,
} from '../../../src/domain/planner';

export const standardV1: PlannerSequence = { ...STANDARD, version: 1 };

export function firm(over: Partial<PlannerFirm> = {}): PlannerFirm {
  return {
    timezone: 'America/New_York',
    country: 'US',
    automation: 'live',
    pilotActive: false,
    sendRules: { defaultHour: 9, quietHours: { start: 20, end: 8 }, minGapDays: 0, weeklyCap: null },
    humanTouch: null,
    ...over,
  };
}

export function customer(id: string, over: Partial<PlannerCustomer> = {}): PlannerCustomer {
  return {
    id,
    tags: [],
    timezone: null,
    preferredHour: null,
    preferredChannel: null,
    pilot: false,
    pausedUntil: null,
    optedOut: false,
    hasEmail: true,
    hasPhone: true,
    connectionStatus: 'connected',
    sequenceKey: null,
    recentContacts: [],
    customerSince: '2025-01-01',
    lateBefore: true,
    ...over,
  };
}

let n = 0;
export function invoice(
  customerId: string,
  dueDate: string,
  over: Partial<PlannerInvoice> = {},
): PlannerInvoice {
  n += 1;
  return {
    id: `inv-${String(n).padStart(4, '0')}`,
    customerId,
    issueDate: '2026-01-01',
    dueDate,
    balance: '1200.00',
    currency: 'USD',
    status: 'open',
    disputed: false,
    promise: null,
    doneStepKeys: [],
    ...over,
  };
}

/** Steps of STANDARD before the given one, as "done". */
export function doneBefore(stepKey: string): string[] {
  const i = STANDARD.steps.findIndex((s) => s.key === stepKey);
  return STANDARD.steps.slice(0, i).map((s) => s.key);
}

export function input(over: Partial<PlannerInput> & Pick<PlannerInput, 'asOf'>): PlannerInput {
  return {
    firm: firm(),
    customers: [customer('c1')],
    sequences: [standardV1],
    invoices: [],
    ...over,
  };
}

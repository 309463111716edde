/**
 * The onboarding master-data check: which billing details a new customer lacks. Pure: the runner
 * reads the customer and its contacts and asks; a task lists the gaps, and no gap means no task.
 */

import { isCompletePostalAddress } from '../postalAddress';

export type MasterDataGap = 'billing_email' | 'terms' | 'address' | 'phone';

export interface MasterDataFacts {
  email: string | null;
  phone: string | null;
  terms: { name: string | null; dueDays: number | null } | null;
  address: {
    line1: string | null;
    city: string | null;
    postalCode: string | null;
    country: string | null;
  } | null;
  contacts: readonly {
    email: string | null;
    phone: string | null;
    emailStatus: 'ok' | 'bounced';
    erased: boolean;
  }[];
}

const present = (s: string | null | undefined): boolean => typeof s === 'string' && s.trim() !== '';

/**
 * Gaps, in the order a clerk fixes them: no deliverable billing e-mail (the customer's own or a
 * contact's that has not bounced), no payment terms, no postal address (a street, a town and a
 * postcode or a country: letters need it), and no phone number (calls need it).
 */
export function masterDataGaps(f: MasterDataFacts): MasterDataGap[] {
  const live = f.contacts.filter((c) => !c.erased);
  const gaps: MasterDataGap[] = [];
  const contactEmail = live.some((c) => present(c.email) && c.emailStatus === 'ok');
  const anyContactEmail = live.some((c) => present(c.email));
  // contacts with addresses take over from the customer's own address (as the runner does)
  if (!contactEmail && (anyContactEmail || !present(f.email))) gaps.push('billing_email');
  if (!f.terms || (f.terms.dueDays === null && !present(f.terms.name))) gaps.push('terms');
  if (!isCompletePostalAddress(f.address)) gaps.push('address');
  if (!present(f.phone) && !live.some((c) => present(c.phone))) gaps.push('phone');
  return gaps;
}

const GAP_POINTS: Record<MasterDataGap, string> = {
  billing_email: 'Missing: a billing e-mail address that works (reminders and the welcome e-mail need it)',
  terms: 'Missing: payment terms (due dates and reminders depend on them)',
  address: 'Missing: a complete billing address (street, town, postcode or country) for letters',
  phone: 'Missing: a phone number for the introductory call',
};

/** The task's talking points: one line per gap, then where to fix it. */
export function masterDataPoints(gaps: readonly MasterDataGap[]): string[] {
  return [
    ...gaps.map((g) => GAP_POINTS[g]),
    'Fill the gaps in the accounting system so the next sync carries them into Duely',
  ];
}

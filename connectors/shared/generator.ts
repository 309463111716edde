/**
 * Deterministic generator of realistic accounts-receivable data, platform-neutral. Each
 * emulator renders these records in its own platform's shapes. Same seed + same options =
 * same company, byte for byte, at any size.
 */
import { formatMoney, parseMoney } from '../../src/domain/money';

export interface GeneratorOptions {
  seed: number;
  customers: number;
  invoices: number;
  /** The "today" of the generated company (aging is relative to it). */
  asOf: string; // YYYY-MM-DD
  currency?: string;
  /** Share of customers that are sub-customers of another (QuickBooks jobs). */
  subCustomerRate?: number;
  /** How many records are deliberately malformed (for error-reporting tests). */
  malformed?: number;
}

export interface GenCustomer {
  id: number;
  parentId: number | null;
  name: string;
  companyName: string;
  contactFirstName: string;
  contactLastName: string;
  email: string | null;
  apEmail: string | null;
  phone: string;
  termsDays: number;
  currency: string;
  address: { line1: string; city: string; region: string; postalCode: string; country: string };
  active: boolean;
  malformed: boolean;
}

export interface GenLine {
  description: string;
  amount: string;
}

export interface GenInvoice {
  id: number;
  number: string;
  customerId: number;
  issueDate: string;
  dueDate: string;
  currency: string;
  lines: GenLine[];
  total: string;
  /** Amount paid so far by payments (not credit notes). */
  paid: string;
  credited: string;
  balance: string;
  status: 'open' | 'paid' | 'voided';
  malformed: boolean;
}

export interface GenPayment {
  id: number;
  customerId: number;
  date: string;
  amount: string;
  currency: string;
  method: 'check' | 'ach' | 'card' | 'wire';
  reference: string;
  allocations: { invoiceId: number; amount: string }[];
}

export interface GenCreditNote {
  id: number;
  number: string;
  customerId: number;
  date: string;
  currency: string;
  total: string;
  remaining: string;
  allocations: { invoiceId: number; amount: string }[];
}

export interface GeneratedCompany {
  options: Required<GeneratorOptions>;
  companyName: string;
  customers: GenCustomer[];
  invoices: GenInvoice[];
  payments: GenPayment[];
  creditNotes: GenCreditNote[];
}

/** mulberry32: tiny, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  'Alex',
  'Maria',
  'Sam',
  'Priya',
  'Jonas',
  'Chen',
  'Fatima',
  'Liam',
  'Olivia',
  'Noah',
  'Ava',
  'Mateo',
  'Zoe',
  'Ikaika',
  'Sofia',
  'Kwame',
];
const LAST = [
  'Nguyen',
  'Smith',
  'Garcia',
  'Okafor',
  'Müller',
  'Rossi',
  'Kowalski',
  'Tanaka',
  'Dubois',
  'Haddad',
  'Silva',
  'Johnson',
  "O'Brien",
  'Larsen',
];
const WORDS = [
  'Acme',
  'Summit',
  'Bluebird',
  'Harbor',
  'Cedar',
  'Northwind',
  'Granite',
  'Juniper',
  'Redwood',
  'Lighthouse',
  'Maple',
  'Falcon',
  'Orchard',
  'Copper',
  'Willow',
  'Atlas',
];
const KINDS = [
  'Landscaping',
  'Dental',
  'Builders',
  'Bakery',
  'Logistics',
  'Design Studio',
  'Plumbing',
  'Consulting',
  'Veterinary',
  'Print Shop',
  'Cafe',
  'Electric',
];
const SUFFIX = ['LLC', 'Inc.', 'Co.', 'Ltd', '& Sons', 'Group'];
const CITIES: [string, string, string][] = [
  ['Portland', 'OR', '97201'],
  ['Austin', 'TX', '73301'],
  ['Denver', 'CO', '80202'],
  ['Boston', 'MA', '02108'],
  ['Madison', 'WI', '53703'],
  ['Tucson', 'AZ', '85701'],
];
const SERVICES = [
  'Monthly maintenance',
  'Consulting hours',
  'Materials',
  'Installation',
  'Design work',
  'Support plan',
  'Delivery',
  'Inspection',
];
const TERMS = [15, 30, 30, 30, 45, 60];

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

export function addDays(iso: string, days: number): string {
  const d = new Date(iso + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function money(rnd: () => number, min: number, max: number): bigint {
  // whole cents, as micros (1/10000)
  const cents = Math.round((min + rnd() * (max - min)) * 100);
  return BigInt(cents) * 100n;
}

export function generateCompany(opts: GeneratorOptions): GeneratedCompany {
  const o: Required<GeneratorOptions> = {
    currency: 'USD',
    subCustomerRate: 0.05,
    malformed: 0,
    ...opts,
  };
  const rnd = prng(o.seed);
  const cur = o.currency;
  const fmt = (m: bigint) => formatMoney(m, cur);

  const customers: GenCustomer[] = [];
  for (let i = 1; i <= o.customers; i++) {
    const first = pick(rnd, FIRST);
    const last = pick(rnd, LAST);
    const company = `${pick(rnd, WORDS)} ${pick(rnd, KINDS)} ${pick(rnd, SUFFIX)}`;
    const isSub = i > 10 && rnd() < o.subCustomerRate;
    const [city, region, postal] = pick(rnd, CITIES);
    const slug = company
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '')
      .slice(0, 20);
    customers.push({
      id: i,
      parentId: isSub ? 1 + Math.floor(rnd() * (i - 1)) : null,
      name: `${company} #${i}`,
      companyName: company,
      contactFirstName: first,
      contactLastName: last,
      email: rnd() < 0.93 ? `${first.toLowerCase()}.${i}@${slug}.example` : null,
      apEmail: rnd() < 0.4 ? `ap.${i}@${slug}.example` : null,
      phone: `+1-555-${String(1000 + (i % 9000)).padStart(4, '0')}`,
      termsDays: pick(rnd, TERMS),
      currency: cur,
      address: {
        line1: `${100 + Math.floor(rnd() * 900)} ${pick(rnd, WORDS)} St`,
        city,
        region,
        postalCode: postal,
        country: 'US',
      },
      active: rnd() > 0.02,
      malformed: false,
    });
  }

  const invoices: GenInvoice[] = [];
  const payments: GenPayment[] = [];
  const creditNotes: GenCreditNote[] = [];
  for (let i = 1; i <= o.invoices; i++) {
    const customer = customers[Math.floor(rnd() * customers.length)]!;
    // issue dates spread over the last 180 days: every aging bucket gets invoices
    const issueDate = addDays(o.asOf, -Math.floor(rnd() * 180));
    const dueDate = addDays(issueDate, customer.termsDays);
    const lineCount = 1 + Math.floor(rnd() * 4);
    const lines: GenLine[] = [];
    let total = 0n;
    for (let l = 0; l < lineCount; l++) {
      const amt = money(rnd, 40, 2500);
      total += amt;
      lines.push({ description: pick(rnd, SERVICES), amount: fmt(amt) });
    }
    const age = daysBetween(dueDate, o.asOf);
    const r = rnd();
    let paid = 0n;
    let status: GenInvoice['status'] = 'open';
    // older invoices are more likely paid; a few are part-paid; ~1% voided
    const pPaid = age > 60 ? 0.75 : age > 0 ? 0.55 : 0.3;
    if (r < 0.01) status = 'voided';
    else if (r < pPaid) {
      paid = total;
      status = 'paid';
    } else if (r < pPaid + 0.08) {
      paid = (total * BigInt(20 + Math.floor(rnd() * 60))) / 100n;
      paid -= paid % 100n; // whole cents
    }
    let credited = 0n;
    if (status === 'open' && rnd() < 0.03) {
      credited = (total - paid) / 4n;
      credited -= credited % 100n;
    }
    const balance = status === 'voided' ? 0n : total - paid - credited;
    const inv: GenInvoice = {
      id: i,
      number: `INV-${String(1000 + i)}`,
      customerId: customer.id,
      issueDate,
      dueDate,
      currency: cur,
      lines,
      total: fmt(total),
      paid: fmt(paid),
      credited: fmt(credited),
      balance: fmt(balance),
      status,
      malformed: false,
    };
    invoices.push(inv);
    if (paid > 0n) {
      const payDate = minDate(addDays(dueDate, Math.floor(rnd() * 40) - 10), o.asOf);
      payments.push({
        id: payments.length + 1,
        customerId: customer.id,
        date: payDate < issueDate ? issueDate : payDate,
        amount: fmt(paid),
        currency: cur,
        method: pick(rnd, ['check', 'ach', 'card', 'wire'] as const),
        reference: `REF${100000 + payments.length}`,
        allocations: [{ invoiceId: inv.id, amount: fmt(paid) }],
      });
    }
    if (credited > 0n) {
      creditNotes.push({
        id: creditNotes.length + 1,
        number: `CN-${String(100 + creditNotes.length)}`,
        customerId: customer.id,
        date: minDate(addDays(issueDate, 5), o.asOf),
        currency: cur,
        total: fmt(credited),
        remaining: '0.00',
        allocations: [{ invoiceId: inv.id, amount: fmt(credited) }],
      });
    }
  }
  // a few deliberately broken records, spread deterministically
  for (let k = 0; k < o.malformed && invoices.length > 0; k++) {
    invoices[Math.floor(rnd() * invoices.length)]!.malformed = true;
  }

  return {
    options: o,
    companyName: `${pick(rnd, WORDS)} ${pick(rnd, KINDS)} (demo)`,
    customers,
    invoices,
    payments,
    creditNotes,
  };
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to + 'T00:00:00Z') - Date.parse(from + 'T00:00:00Z')) / 86_400_000);
}

const minDate = (a: string, b: string) => (a < b ? a : b);

/** Total outstanding per customer, in micros (for platform customer balances). */
export function customerBalances(company: GeneratedCompany): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const inv of company.invoices) {
    if (inv.status !== 'open') continue;
    out.set(inv.customerId, (out.get(inv.customerId) ?? 0n) + parseMoney(inv.balance));
  }
  return out;
}

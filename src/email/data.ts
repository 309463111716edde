/**
 * The data of one message and the variable values derived from it, in an HTML form (escaped
 * fragments for the block variables) and a plain-text form.
 */
import { z } from 'zod';
import { addDays, daysBetween, isLocalDate } from '../domain/calendar';
import { formatMoney, parseMoney, type Micros } from '../domain/money';
import { escapeHtml, escapeMultiline } from './escape';

const date = z.string().refine(isLocalDate, 'must be a date YYYY-MM-DD');
const httpUrl = z.url({ protocol: /^https?$/ });
const money = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string');

export const brandingSchema = z.object({
  logoUrl: httpUrl.nullish(),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour such as #1a73e8')
    .nullish(),
  signature: z.string().max(1000).nullish(),
  replyTo: z.email().nullish(),
  paymentInstructions: z.string().max(4000).nullish(),
});
export type EmailBranding = z.infer<typeof brandingSchema>;

export const emailDataSchema = z.object({
  firm: z.object({
    name: z.string().min(1),
    branding: brandingSchema.default({}),
    /** What happens next in a final notice, as the firm words it; nothing by default. */
    nextSteps: z.string().max(2000).nullish(),
    locale: z.string().default('en-US'),
  }),
  contact: z.object({ name: z.string().nullish() }).default({}),
  customer: z.object({ name: z.string().min(1) }),
  invoices: z
    .array(
      z.object({
        number: z.string().nullish(),
        dueDate: date,
        balance: money,
        currency: z.string().length(3),
      }),
    )
    .min(1),
  /** The firm's local date of sending (days overdue are counted to it). */
  asOf: date,
  portalUrl: httpUrl,
  unsubscribeUrl: httpUrl,
  payByDate: date.nullish(),
  promise: z.object({ date, amount: money.nullish(), currency: z.string().length(3).nullish() }).nullish(),
});
export type EmailData = z.input<typeof emailDataSchema>;
type Parsed = z.output<typeof emailDataSchema>;

const dateFormats = new Map<string, Intl.DateTimeFormat>();
const formattedDates = new Map<string, string>();
function formatDate(d: string, locale: string): string {
  const key = `${locale}|${d}`;
  const hit = formattedDates.get(key);
  if (hit !== undefined) return hit;
  let f = dateFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
    dateFormats.set(locale, f);
  }
  const out = f.format(new Date(`${d}T00:00:00Z`));
  if (formattedDates.size >= 20_000) formattedDates.clear();
  formattedDates.set(key, out);
  return out;
}

/** "USD 1,234.50" — the currency's minor units, thousands grouped. */
export function displayMoney(micros: Micros, currency: string): string {
  const plain = formatMoney(micros, currency);
  const neg = plain.startsWith('-');
  const [int = '0', frac] = plain.replace('-', '').split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${currency.toUpperCase()} ${neg ? '-' : ''}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const invoiceLabel = (n: string | null | undefined) => (n ? `#${n}` : 'without number');

export interface EmailValues {
  html: Record<string, string>;
  text: Record<string, string>;
}

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}

export function buildValues(input: EmailData): EmailValues {
  const d: Parsed = emailDataSchema.parse(input);
  const locale = d.firm.locale;
  const rows = d.invoices.map((inv) => {
    const overdue = Math.max(0, daysBetween(inv.dueDate, d.asOf));
    return { inv, micros: parseMoney(inv.balance), overdue };
  });
  const totals = new Map<string, Micros>();
  for (const r of rows) totals.set(r.inv.currency, (totals.get(r.inv.currency) ?? 0n) + r.micros);
  const totalDue = [...totals].map(([cur, m]) => displayMoney(m, cur)).join(' + ');
  const earliest = rows.map((r) => r.inv.dueDate).sort()[0] as string;
  const daysOverdue = Math.max(...rows.map((r) => r.overdue));
  const numbers = rows.map((r) => invoiceLabel(r.inv.number));
  const invoiceSummary =
    rows.length === 1
      ? `invoice ${numbers[0]}`
      : rows.length === 2
        ? `invoices ${numbers[0]} and ${numbers[1]}`
        : `${rows.length} invoices`;
  const { branding } = d.firm;
  const signature = branding.signature?.trim() || `Accounts receivable\n${d.firm.name}`;
  const instructions = branding.paymentInstructions?.trim() ?? '';
  const nextSteps = d.firm.nextSteps?.trim() ?? '';
  const promisedAmount =
    d.promise?.amount != null
      ? displayMoney(parseMoney(d.promise.amount), d.promise.currency ?? d.invoices[0]!.currency)
      : totalDue;

  const plain: Record<string, string> = {
    contactName: d.contact.name?.trim() || 'there',
    customerName: d.customer.name,
    firmName: d.firm.name,
    invoiceSummary,
    invoiceCount: String(rows.length),
    totalDue,
    dueDate: formatDate(earliest, locale),
    daysOverdue: String(daysOverdue),
    daysOverdueText: plural(daysOverdue, 'day', 'days'),
    payByDate: formatDate(d.payByDate ?? addDays(d.asOf, 7), locale),
    portalUrl: d.portalUrl,
    unsubscribeUrl: d.unsubscribeUrl,
    promiseDate: d.promise ? formatDate(d.promise.date, locale) : '',
    promisedAmount,
  };

  const cell = 'padding:6px 8px;border-bottom:1px solid #e5e7eb;';
  const htmlTable =
    '<table role="presentation" style="width:100%;border-collapse:collapse;font-size:14px;margin:8px 0 16px 0">' +
    `<tr><th align="left" style="${cell}">Invoice</th><th align="left" style="${cell}">Due date</th>` +
    `<th align="right" style="${cell}">Days overdue</th><th align="right" style="${cell}">Balance</th></tr>` +
    rows
      .map(
        (r) =>
          `<tr><td style="${cell}">${escapeHtml(invoiceLabel(r.inv.number))}</td>` +
          `<td style="${cell}">${escapeHtml(formatDate(r.inv.dueDate, locale))}</td>` +
          `<td align="right" style="${cell}">${r.overdue > 0 ? r.overdue : '–'}</td>` +
          `<td align="right" style="${cell}">${escapeHtml(displayMoney(r.micros, r.inv.currency))}</td></tr>`,
      )
      .join('') +
    `<tr><td colspan="3" style="padding:6px 8px"><strong>Total due</strong></td>` +
    `<td align="right" style="padding:6px 8px"><strong>${escapeHtml(totalDue)}</strong></td></tr></table>`;
  const textTable =
    pad([
      ['Invoice', 'Due date', 'Days overdue', 'Balance'],
      ...rows.map((r) => [
        invoiceLabel(r.inv.number),
        formatDate(r.inv.dueDate, locale),
        r.overdue > 0 ? String(r.overdue) : '-',
        displayMoney(r.micros, r.inv.currency),
      ]),
    ]) + `\nTotal due: ${totalDue}`;

  const reply = branding.replyTo ?? null;
  const html: Record<string, string> = {
    ...plain,
    invoiceTable: htmlTable,
    paymentInstructions: instructions
      ? `<p><strong>How to pay</strong><br>${escapeMultiline(instructions)}</p>`
      : '',
    signature: escapeMultiline(signature),
    contactLine: reply
      ? `Questions? Reply to this e-mail or write to <a href="mailto:${escapeHtml(reply)}">${escapeHtml(reply)}</a>.`
      : 'Questions? Reply to this e-mail.',
    nextSteps: nextSteps ? `<p>${escapeMultiline(nextSteps)}</p>` : '',
  };
  // Blocks stand as their own paragraphs in the text part.
  const para = (t: string) => (t ? `\n${t}\n` : '');
  const text: Record<string, string> = {
    ...plain,
    invoiceTable: para(textTable),
    paymentInstructions: para(instructions ? `How to pay\n${instructions}` : ''),
    signature,
    contactLine: reply
      ? `Questions? Reply to this e-mail or write to ${reply}.`
      : 'Questions? Reply to this e-mail.',
    nextSteps: para(nextSteps),
  };
  return { html, text };
}

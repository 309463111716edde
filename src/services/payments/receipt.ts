/**
 * The receipt e-mail for a payment made in the portal: what was paid, when, how, against which
 * invoices and what each still owes. Pure: builds the subject, the plain text and an HTML part
 * from escaped values (no template language, so nothing the payer typed can inject markup).
 */
import { displayMoney } from '../../email';
import { escapeHtml, escapeMultiline } from '../../email/escape';
import { parseMoney } from '../../domain/money';

export interface ReceiptData {
  firm: { name: string; color?: string | null; signature?: string | null; replyTo?: string | null };
  customerName: string;
  /** The firm's local date of the payment (YYYY-MM-DD). */
  date: string;
  currency: string;
  amount: string;
  method: 'card' | 'us_bank_account';
  reference: string;
  lines: { number: string | null; amount: string; balanceAfter: string }[];
  portalUrl: string;
}

export interface Receipt {
  subject: string;
  text: string;
  html: string;
}

const money = (v: string, currency: string) => displayMoney(parseMoney(v), currency);
const invoiceLabel = (n: string | null) => (n ? `Invoice ${n}` : 'Invoice without number');

export function buildReceipt(d: ReceiptData): Receipt {
  const total = money(d.amount, d.currency);
  const how = d.method === 'card' ? 'by card' : 'by bank transfer (ACH)';
  const signature = d.firm.signature?.trim() || `Accounts receivable\n${d.firm.name}`;
  const color = d.firm.color && /^#[0-9a-fA-F]{6}$/.test(d.firm.color) ? d.firm.color : '#1f4e79';
  const contact = d.firm.replyTo
    ? `Questions? Reply to this e-mail or write to ${d.firm.replyTo}.`
    : 'Questions? Reply to this e-mail.';
  const subject = `Payment received: ${total} — thank you`;

  const text = [
    `Hello ${d.customerName},`,
    '',
    `Thank you: we have received your payment of ${total} ${how} on ${d.date}.`,
    '',
    ...d.lines.map(
      (l) =>
        `${invoiceLabel(l.number)}: paid ${money(l.amount, d.currency)}, ` +
        `balance now ${money(l.balanceAfter, d.currency)}`,
    ),
    '',
    `Payment reference: ${d.reference}`,
    '',
    'Our books may take a day to show it. Your account: ' + d.portalUrl,
    '',
    contact,
    '',
    signature,
  ].join('\n');

  const cell = 'padding:6px 8px;border-bottom:1px solid #e5e7eb;';
  const rows = d.lines
    .map(
      (l) =>
        `<tr><td style="${cell}">${escapeHtml(invoiceLabel(l.number))}</td>` +
        `<td align="right" style="${cell}">${escapeHtml(money(l.amount, d.currency))}</td>` +
        `<td align="right" style="${cell}">${escapeHtml(money(l.balanceAfter, d.currency))}</td></tr>`,
    )
    .join('');
  const html =
    `<!doctype html><html><body style="margin:0;background:#f4f5f7;font-family:Helvetica,Arial,sans-serif;color:#1f2933">` +
    `<div style="max-width:600px;margin:0 auto;padding:24px">` +
    `<div style="font-size:20px;font-weight:700;color:${color}">${escapeHtml(d.firm.name)}</div>` +
    `<div style="background:#fff;border-top:4px solid ${color};padding:16px;margin-top:12px;font-size:15px;line-height:22px">` +
    `<p>Hello ${escapeHtml(d.customerName)},</p>` +
    `<p>Thank you: we have received your payment of <strong>${escapeHtml(total)}</strong> ${how} on ${escapeHtml(d.date)}.</p>` +
    `<table role="presentation" style="width:100%;border-collapse:collapse;font-size:14px;margin:8px 0 16px 0">` +
    `<tr><th align="left" style="${cell}">Invoice</th><th align="right" style="${cell}">Paid</th>` +
    `<th align="right" style="${cell}">Balance now</th></tr>${rows}` +
    `<tr><td style="padding:6px 8px"><strong>Total paid</strong></td>` +
    `<td align="right" style="padding:6px 8px"><strong>${escapeHtml(total)}</strong></td><td></td></tr></table>` +
    `<p>Payment reference: ${escapeHtml(d.reference)}</p>` +
    `<p>Our books may take a day to show it. <a href="${escapeHtml(d.portalUrl)}">See your account</a>.</p>` +
    `<p>${escapeMultiline(signature)}</p></div>` +
    `<p style="font-size:12px;color:#6b7280">${escapeHtml(contact)}</p></div></body></html>`;
  return { subject, text, html };
}

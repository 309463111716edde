/**
 * The e-mail that carries a new portal link (asked for on the renewal page): plain text and a
 * small HTML part in the firm's colour. Every value is escaped; the link is the only action.
 */
import { escapeHtml, escapeMultiline } from '../../email/escape';

export interface PortalLinkEmailInput {
  firmName: string;
  customerName: string;
  contactName: string | null;
  url: string;
  ttlDays: number;
  brandColor: string | null;
  signature: string | null;
}

export function portalLinkEmail(p: PortalLinkEmailInput): { subject: string; text: string; html: string } {
  const hello = p.contactName?.trim() ? `Hello ${p.contactName.trim()},` : 'Hello,';
  const signature = p.signature?.trim() || `Accounts receivable\n${p.firmName}`;
  const color = p.brandColor && /^#[0-9a-fA-F]{6}$/.test(p.brandColor) ? p.brandColor : '#1d4ed8';
  const subject = `Your link to the ${p.firmName} customer portal`.replace(/[\r\n]+/g, ' ');
  const validity = `The link stays valid for ${p.ttlDays} ${p.ttlDays === 1 ? 'day' : 'days'} after you last use it.`;
  const text = [
    hello,
    '',
    `Here is your new link to the account of ${p.customerName} with ${p.firmName}: open invoices, copies, payments and your statement.`,
    '',
    p.url,
    '',
    validity,
    'If you did not ask for this link, you can ignore this e-mail; nothing has changed.',
    '',
    signature,
    '',
  ].join('\n');
  const html =
    `<!doctype html><html><body style="font-family:Helvetica,Arial,sans-serif;color:#1f2933;line-height:1.5">` +
    `<div style="max-width:560px;margin:0 auto;border-top:4px solid ${color};padding:16px">` +
    `<p>${escapeHtml(hello)}</p>` +
    `<p>Here is your new link to the account of ${escapeHtml(p.customerName)} with ${escapeHtml(p.firmName)}: open invoices, copies, payments and your statement.</p>` +
    `<p><a href="${escapeHtml(p.url)}" style="display:inline-block;background:${color};color:#ffffff;padding:12px 24px;border-radius:4px;font-weight:700;text-decoration:none">Open your account</a></p>` +
    `<p style="font-size:13px;color:#4b5563">${escapeHtml(validity)} If you did not ask for this link, you can ignore this e-mail; nothing has changed.</p>` +
    `<p>${escapeMultiline(signature)}</p>` +
    `</div></body></html>`;
  return { subject, text, html };
}

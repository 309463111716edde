/**
 * What one sequence step would send to one real customer of the firm: the e-mail rendered with the
 * firm's branding and templates for the customer's open invoices as of the step's day, or the task
 * a call or letter step creates. Nothing is recorded or sent.
 */
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { contacts, customers, invoices } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { addDays } from '../../domain/calendar';
import { BUILTIN_TASK_TEMPLATES } from '../../domain/sequences/builtins';
import type { SequenceStep } from '../../domain/sequences/format';
import { UnknownTemplateError, type EmailData, type Renderer } from '../../email';
import { escapeHtml } from '../../email/escape';
import { NotFoundError } from '../errors';
import type { Organization } from '../organizations';
import { firmRenderer } from '../templates';

export type StepPreview =
  | { kind: 'email'; subject: string; html: string; to: string | null; asOf: string }
  | { kind: 'task'; channel: string; title: string; points: string[]; asOf: string }
  | { kind: 'problem'; message: string };

/** Up to this many open invoices go into one preview (the e-mail lists them all). */
const MAX_INVOICES = 10;

export interface PreviewCustomer {
  id: string;
  name: string;
}

/** Customers to pick from in a preview: the firm's, those with open invoices first. */
export async function previewCustomers(scope: OrgScope, limit = 200): Promise<PreviewCustomer[]> {
  const rows = await scope.db
    .selectDistinctOn([customers.name, customers.id], { id: customers.id, name: customers.name })
    .from(customers)
    .innerJoin(
      invoices,
      and(eq(invoices.customerId, customers.id), eq(invoices.organizationId, customers.organizationId)),
    )
    .where(scope.where(customers, isNull(customers.deletedAt), eq(invoices.status, 'open')))
    .orderBy(asc(customers.name), asc(customers.id))
    .limit(limit);
  return rows;
}

/** Render `step` for the customer (which must be the firm's: another firm's id is not found). */
export async function previewStep(
  app: AppContext,
  scope: OrgScope,
  org: Organization,
  customerId: string,
  step: SequenceStep,
  renderer?: Renderer,
): Promise<{ customerName: string; preview: StepPreview }> {
  const customer = await scope.findById(customers, customerId);
  if (!customer || customer.deletedAt) throw new NotFoundError('customer');
  return { customerName: customer.name, preview: await render(app, scope, org, customer, step, renderer) };
}

async function render(
  app: AppContext,
  scope: OrgScope,
  org: Organization,
  customer: typeof customers.$inferSelect,
  step: SequenceStep,
  withRenderer?: Renderer,
): Promise<StepPreview> {
  let invs = await scope.db
    .select({
      number: invoices.number,
      issueDate: invoices.issueDate,
      dueDate: invoices.dueDate,
      balance: invoices.balance,
      currency: invoices.currency,
    })
    .from(invoices)
    .where(scope.where(invoices, eq(invoices.customerId, customer.id), eq(invoices.status, 'open')))
    .orderBy(asc(invoices.dueDate), asc(invoices.id))
    .limit(MAX_INVOICES);
  if (invs.length === 0) {
    // nothing open: show the latest invoice, so the wording can still be checked
    invs = await scope.db
      .select({
        number: invoices.number,
        issueDate: invoices.issueDate,
        dueDate: invoices.dueDate,
        balance: invoices.total,
        currency: invoices.currency,
      })
      .from(invoices)
      .where(scope.where(invoices, eq(invoices.customerId, customer.id)))
      .orderBy(desc(invoices.dueDate))
      .limit(1);
  }
  const first = invs[0];
  if (!first) return { kind: 'problem', message: `${customer.name} has no invoices yet.` };
  const anchor = step.from === 'issue' ? first.issueDate : first.dueDate;
  const asOf = addDays(anchor, step.offsetDays);

  if (step.channel === 'call' || step.channel === 'letter') {
    const t = step.template ? BUILTIN_TASK_TEMPLATES[step.template] : undefined;
    return {
      kind: 'task',
      channel: step.channel,
      asOf,
      title: t?.title ?? (step.channel === 'letter' ? 'Send a reminder letter' : 'Call about open invoices'),
      points: t?.talkingPoints ? [...t.talkingPoints] : [],
    };
  }
  if (!step.template) return { kind: 'problem', message: 'Choose a template for this e-mail step.' };

  const [contact] = await scope.db
    .select({ name: contacts.name, email: contacts.email })
    .from(contacts)
    .where(scope.where(contacts, eq(contacts.customerId, customer.id), isNull(contacts.erasedAt)))
    .orderBy(desc(contacts.isPrimary), asc(contacts.createdAt))
    .limit(1);
  const data: EmailData = {
    firm: { name: org.name, branding: emailBranding(org.branding) },
    contact: { name: contact?.name ?? null },
    customer: { name: customer.name },
    invoices: invs.map((i) => ({
      number: i.number,
      dueDate: i.dueDate,
      balance: i.balance,
      currency: i.currency,
    })),
    asOf,
    portalUrl: `${app.config.BASE_URL}/portal`,
    unsubscribeUrl: `${app.config.BASE_URL}/portal/unsubscribe`,
  };
  try {
    const renderer = withRenderer ?? (await firmRenderer(scope));
    const out = await renderer.render(step.template, data, { tone: step.tone ?? null });
    return {
      kind: 'email',
      subject: out.subject,
      html: out.html,
      to: contact?.email ?? customer.email ?? null,
      asOf,
    };
  } catch (e) {
    if (e instanceof UnknownTemplateError)
      return { kind: 'problem', message: `"${step.template}" is not an e-mail template.` };
    throw e;
  }
}

/** The branding fields the e-mail layout uses (invalid stored values are left out, not fatal). */
export function emailBranding(b: Organization['branding']) {
  return {
    logoUrl: b.logoUrl ?? null,
    color: b.color ?? null,
    signature: b.signature ?? null,
    replyTo: b.replyTo ?? null,
    paymentInstructions: b.paymentInstructions ?? null,
  };
}

const PAGE_STYLE =
  'body{margin:0;font:14px/1.5 system-ui,sans-serif;color:#1d2433}' +
  '.meta{background:#f6f7fb;border-bottom:1px solid #d9dee8;padding:8px 12px}' +
  '.meta p{margin:2px 0}.box{padding:16px}';

/**
 * The preview as a standalone HTML document (served with `Content-Security-Policy: sandbox`). Every
 * value outside the rendered e-mail is escaped here; the e-mail escaped its own values.
 */
export function previewDocument(p: StepPreview, customerName: string): string {
  const head = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Preview</title><style>${PAGE_STYLE}</style></head>`;
  if (p.kind === 'problem')
    return `${head}<body><div class="box"><p>${escapeHtml(p.message)}</p></div></body></html>`;
  if (p.kind === 'task') {
    const points = p.points.map((x) => `<li>${escapeHtml(x)}</li>`).join('');
    return (
      `${head}<body><div class="meta"><p><strong>${p.channel === 'letter' ? 'Letter' : 'Call'} task</strong> for ${escapeHtml(customerName)} on ${escapeHtml(p.asOf)}</p></div>` +
      `<div class="box"><p><strong>${escapeHtml(p.title)}</strong></p>${points ? `<ul>${points}</ul>` : ''}` +
      `<p>Duely adds what is owed and the contact history when it creates the task.</p></div></body></html>`
    );
  }
  const meta =
    `<div class="meta" style="font:14px/1.5 system-ui,sans-serif;background:#f6f7fb;border-bottom:1px solid #d9dee8;padding:8px 12px">` +
    `<p style="margin:2px 0"><strong>To:</strong> ${escapeHtml(p.to ?? `${customerName} (no e-mail address on file)`)}</p>` +
    `<p style="margin:2px 0"><strong>Subject:</strong> <span class="subject">${escapeHtml(p.subject)}</span></p>` +
    `<p style="margin:2px 0"><strong>Sent on:</strong> ${escapeHtml(p.asOf)}</p></div>`;
  const at = /<body[^>]*>/i.exec(p.html);
  if (!at) return `${head}<body>${meta}${p.html}</body></html>`;
  const end = at.index + at[0].length;
  return p.html.slice(0, end) + meta + p.html.slice(end);
}

/**
 * Headers for a preview document: its own CSP (sandbox: no scripts, no same-origin access, no
 * form posts; inline styles and https images only, as a mail client shows them), framable by us.
 */
export const PREVIEW_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'",
  'X-Frame-Options': 'SAMEORIGIN',
  'Cache-Control': 'no-store',
};

/**
 * A sample reminder (the `overdue` template) with the given branding: for the firm's first
 * customer with open invoices, or for a labelled sample customer while nothing is synced.
 */
export async function previewBranding(
  app: AppContext,
  scope: OrgScope,
  org: Organization,
  branding: Organization['branding'],
): Promise<string> {
  const withBranding = { ...org, branding };
  const [first] = await previewCustomers(scope, 1);
  const step: SequenceStep = { key: 'sample', offsetDays: 7, channel: 'email', template: 'overdue' };
  if (first) {
    const out = await previewStep(app, scope, withBranding, first.id, step);
    return previewDocument(out.preview, out.customerName);
  }
  const asOf = app.now().toISOString().slice(0, 10);
  const renderer = await firmRenderer(scope);
  const out = await renderer.render('overdue', {
    firm: { name: org.name, branding: emailBranding(branding) },
    contact: { name: 'Sam Sample' },
    customer: { name: 'Sample Customer (nothing synced yet)' },
    invoices: [
      { number: 'SAMPLE-1', dueDate: addDays(asOf, -7), balance: '1250.00', currency: org.baseCurrency },
    ],
    asOf,
    portalUrl: `${app.config.BASE_URL}/portal`,
    unsubscribeUrl: `${app.config.BASE_URL}/portal/unsubscribe`,
  });
  return previewDocument(
    { kind: 'email', subject: out.subject, html: out.html, to: null, asOf },
    'Sample Customer',
  );
}

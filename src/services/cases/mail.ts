/**
 * E-mails about promises and disputes. Promise mail uses the firm's MJML templates (the same
 * renderer and branding as reminders); dispute mail carries people's own words, so it is plain
 * text written here, never an HTML template filled with what a customer typed.
 */
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { emails, memberships, users } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { createBuiltinRenderer, type RenderedEmail, type Renderer } from '../../email';
import type { Organization } from '../organizations';
import { issuePortalLink } from '../portal/tokens';
import { ROLE_RANK } from '../users';

let renderer: Renderer | null = null;
function getRenderer(): Renderer {
  renderer ??= createBuiltinRenderer();
  return renderer;
}

export interface MailInvoice {
  number: string | null;
  dueDate: string;
  balance: string;
  currency: string;
}

export async function renderFirmTemplate(
  app: Pick<AppContext, 'config'>,
  template: 'promise-confirmation' | 'broken-promise',
  p: {
    org: Organization;
    contactName: string | null;
    customerName: string;
    invoices: MailInvoice[];
    asOf: string;
    portalUrl: string;
    promise: { date: string; amount: string; currency: string };
  },
): Promise<RenderedEmail> {
  const b = p.org.branding;
  return getRenderer().render(template, {
    firm: {
      name: p.org.name,
      branding: {
        logoUrl: b.logoUrl ?? null,
        color: b.color ?? null,
        signature: b.signature ?? null,
        replyTo: b.replyTo ?? null,
        paymentInstructions: b.paymentInstructions ?? null,
      },
    },
    contact: { name: p.contactName },
    customer: { name: p.customerName },
    invoices: p.invoices,
    asOf: p.asOf,
    portalUrl: p.portalUrl,
    unsubscribeUrl: `${app.config.BASE_URL}/portal/unsubscribe`,
    promise: p.promise,
  });
}

/** True when an e-mail with this key was already recorded (a retry must not issue another link). */
export async function emailRecorded(app: Pick<AppContext, 'db'>, idempotencyKey: string): Promise<boolean> {
  const [row] = await app.db
    .select({ id: emails.id })
    .from(emails)
    .where(eq(emails.idempotencyKey, idempotencyKey))
    .limit(1);
  return Boolean(row);
}

/** A fresh portal link for a case e-mail (origin `message`). */
export async function caseLink(
  app: Pick<AppContext, 'db' | 'keyRing' | 'config' | 'now'>,
  scope: OrgScope,
  customerId: string,
  contactId: string | null,
  createdByUserId: string | null = null,
): Promise<string> {
  const link = await issuePortalLink(app, scope, {
    customerId,
    contactId,
    origin: 'message',
    createdByUserId,
  });
  return link.url;
}

/** The firm's members who handle cases (clerk or above), with their addresses. */
export async function firmClerks(scope: OrgScope): Promise<{ userId: string; email: string }[]> {
  const rows = await scope.db
    .select({ userId: users.id, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.organizationId, scope.organizationId));
  return rows
    .filter((r) => ROLE_RANK[r.role] >= ROLE_RANK.clerk)
    .map(({ userId, email }) => ({ userId, email }));
}

/** The signature block of plain-text case mail. */
export function signature(org: Organization): string {
  return org.branding.signature?.trim() || `Accounts receivable\n${org.name}`;
}

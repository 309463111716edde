/**
 * What promise and dispute services read about the firm and the customer: the firm row with its
 * policies and local date, the customer, and who at the customer an e-mail about a case goes to.
 */
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { contacts, customers, organizations } from '../../db/schema';
import { isUuid, type OrgScope } from '../../db/scope';
import { localDateOf, type LocalDate } from '../../domain/calendar';
import type { Actor } from '../audit';
import { NotFoundError } from '../errors';
import type { Organization } from '../organizations';
import { firmPolicies, type Policies } from '../policies';

export interface CaseFirm {
  org: Organization;
  policies: Policies;
  today: LocalDate;
}

export async function loadCaseFirm(app: Pick<AppContext, 'now'>, scope: OrgScope): Promise<CaseFirm> {
  const [org] = await scope.db
    .select()
    .from(organizations)
    .where(eq(organizations.id, scope.organizationId))
    .limit(1);
  if (!org) throw new NotFoundError('organization');
  return { org, policies: firmPolicies(org), today: localDateOf(app.now(), org.timezone) };
}

export type CaseCustomer = typeof customers.$inferSelect;

/** The customer, if it is this firm's and not deleted. */
export async function loadCaseCustomer(scope: OrgScope, customerId: string): Promise<CaseCustomer> {
  const customer = await scope.findById(customers, customerId);
  if (!customer || customer.deletedAt) throw new NotFoundError('customer');
  return customer;
}

export interface Recipient {
  email: string;
  name: string | null;
  contactId: string | null;
}

/**
 * Who at the customer hears about a case: the given contact when it has a usable address, else
 * the primary (then oldest) billing contact, else the customer's own address. A bounced or erased
 * contact is never written to; `dunning` mail (a broken-promise reminder) also skips contacts who
 * unsubscribed, while an answer to the customer's own request does not.
 */
export async function caseRecipient(
  scope: OrgScope,
  customer: Pick<CaseCustomer, 'id' | 'email'>,
  opts: { contactId?: string | null; dunning?: boolean } = {},
): Promise<Recipient | null> {
  const rows = await scope.db
    .select({
      id: contacts.id,
      name: contacts.name,
      email: contacts.email,
      role: contacts.role,
      emailStatus: contacts.emailStatus,
      unsubscribedAt: contacts.unsubscribedAt,
    })
    .from(contacts)
    .where(scope.where(contacts, eq(contacts.customerId, customer.id), isNull(contacts.erasedAt)))
    .orderBy(desc(contacts.isPrimary), asc(contacts.createdAt), asc(contacts.id));
  const usable = rows.filter((c) => c.email && c.emailStatus === 'ok' && !(opts.dunning && c.unsubscribedAt));
  const pick =
    usable.find((c) => c.id === opts.contactId) ?? usable.find((c) => c.role === 'billing') ?? usable[0];
  if (pick) return { email: pick.email!, name: pick.name, contactId: pick.id };
  // a customer whose contacts all bounced or unsubscribed is not written to at its own address
  if (rows.some((c) => c.email)) return null;
  return customer.email ? { email: customer.email, name: null, contactId: null } : null;
}

/** A contact id from a request (portal session, form) only when it is this customer's. */
export async function ownContactId(
  scope: OrgScope,
  customerId: string,
  contactId: string | null | undefined,
): Promise<string | null> {
  if (!contactId || !isUuid(contactId)) return null;
  const [row] = await scope.db
    .select({ id: contacts.id })
    .from(contacts)
    .where(scope.where(contacts, and(eq(contacts.id, contactId), eq(contacts.customerId, customerId))))
    .limit(1);
  return row?.id ?? null;
}

export const actorUserId = (actor: Actor): string | null => (actor.type === 'user' ? actor.id : null);

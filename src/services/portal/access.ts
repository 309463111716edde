/**
 * The portal session's link, re-checked on every request: one indexed read by the token row's id
 * that also brings the firm's branding and the customer's name. A link in use keeps rolling: its
 * expiry moves forward by the firm's link lifetime, written at most once a day per link.
 */
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import type { Db } from '../../db/client';
import { customers, organizations, portalTokens, type Branding } from '../../db/schema';
import { isUuid } from '../../db/scope';
import { firmPolicies } from '../policies';

const DAY_MS = 86_400_000;

export interface PortalSessionAccess {
  status: 'ok';
  tokenId: string;
  organizationId: string;
  customerId: string;
  contactId: string | null;
  expiresAt: Date;
  firm: { name: string; timezone: string; branding: Branding; settings: Record<string, unknown> };
  customer: { id: string; name: string; currency: string | null };
}

export type PortalSessionCheck =
  | PortalSessionAccess
  /** The link was revoked or ran out (or the customer is gone): offer a new one for this firm. */
  | { status: 'expired'; organizationId: string; firm: { name: string; branding: Branding } }
  | { status: 'unknown' };

/**
 * The lookup runs on every portal request: prepared once per database (the query builder's cost
 * of assembling it each time was larger than PostgreSQL's cost of answering).
 */
const sessionQueries = new WeakMap<Db, ReturnType<typeof prepareSessionQuery>>();
function prepareSessionQuery(db: Db) {
  return db
    .select({
      tokenId: portalTokens.id,
      organizationId: portalTokens.organizationId,
      customerId: portalTokens.customerId,
      contactId: portalTokens.contactId,
      expiresAt: portalTokens.expiresAt,
      revokedAt: portalTokens.revokedAt,
      firmName: organizations.name,
      timezone: organizations.timezone,
      branding: organizations.branding,
      settings: organizations.settings,
      customerName: customers.name,
      customerCurrency: customers.currency,
      customerDeleted: customers.deletedAt,
    })
    .from(portalTokens)
    .innerJoin(organizations, eq(organizations.id, portalTokens.organizationId))
    .innerJoin(customers, eq(customers.id, portalTokens.customerId))
    .where(eq(portalTokens.id, sql.placeholder('tokenId')))
    .limit(1)
    .prepare('portal_session_check');
}

export async function checkPortalSession(
  app: Pick<AppContext, 'db' | 'now'>,
  tokenId: string,
): Promise<PortalSessionCheck> {
  if (!isUuid(tokenId)) return { status: 'unknown' };
  let query = sessionQueries.get(app.db);
  if (!query) {
    query = prepareSessionQuery(app.db);
    sessionQueries.set(app.db, query);
  }
  const [row] = await query.execute({ tokenId });
  if (!row) return { status: 'unknown' };
  const now = app.now();
  if (row.customerDeleted || row.revokedAt || row.expiresAt.getTime() <= now.getTime())
    return {
      status: 'expired',
      organizationId: row.organizationId,
      firm: { name: row.firmName, branding: row.branding },
    };
  const expiresAt = await keepAlive(app, row.tokenId, row.expiresAt, row.settings, now);
  return {
    status: 'ok',
    tokenId: row.tokenId,
    organizationId: row.organizationId,
    customerId: row.customerId,
    contactId: row.contactId,
    expiresAt,
    firm: { name: row.firmName, timezone: row.timezone, branding: row.branding, settings: row.settings },
    customer: { id: row.customerId, name: row.customerName, currency: row.customerCurrency },
  };
}

/**
 * Roll the expiry forward when the last extension is more than a day old (so a busy session
 * writes once a day, not on every page). The update is conditional: a revocation in between wins.
 */
async function keepAlive(
  app: Pick<AppContext, 'db'>,
  tokenId: string,
  expiresAt: Date,
  settings: Record<string, unknown>,
  now: Date,
): Promise<Date> {
  const ttlMs = firmPolicies({ settings }).portal.linkTtlDays * DAY_MS;
  const target = new Date(now.getTime() + ttlMs);
  if (target.getTime() - expiresAt.getTime() < DAY_MS) return expiresAt;
  const updated = await app.db
    .update(portalTokens)
    .set({ expiresAt: target, lastUsedAt: now })
    .where(
      and(eq(portalTokens.id, tokenId), isNull(portalTokens.revokedAt), lt(portalTokens.expiresAt, target)),
    )
    .returning({ expiresAt: portalTokens.expiresAt });
  return updated[0]?.expiresAt ?? expiresAt;
}

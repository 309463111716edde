/**
 * Portal magic links. A link is `${BASE_URL}/p/<token>`: 256 random bits, stored as its SHA-256
 * (lookups) and sealed with the key ring (so a clerk can re-show a link that was sent; never in
 * plain text at rest). Scoped to one customer of one firm; the expiry rolls forward on each use
 * by the firm's `portal.linkTtlDays`; a clerk can revoke every link of a customer.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { hashToken, randomToken } from '../../crypto/tokens';
import { customers, organizations, portalTokens, type PortalTokenOrigin } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { audit, type Actor } from '../audit';
import { NotFoundError } from '../errors';
import { firmPolicies } from '../policies';

const DAY_MS = 86_400_000;
const sealContext = (tokenId: string) => `portal_token:${tokenId}`;

export interface IssuedPortalLink {
  tokenId: string;
  url: string;
  expiresAt: Date;
}

export function portalLinkUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/$/, '')}/p/${token}`;
}

/** Create a new link for a customer (one per e-mail sent, or on a clerk's or customer's request). */
export async function issuePortalLink(
  app: Pick<AppContext, 'db' | 'keyRing' | 'config' | 'now'>,
  scope: OrgScope,
  p: {
    customerId: string;
    contactId?: string | null;
    origin: PortalTokenOrigin;
    createdByUserId?: string | null;
  },
): Promise<IssuedPortalLink> {
  const customer = await scope.findById(customers, p.customerId);
  if (!customer) throw new NotFoundError('customer');
  const [org] = await scope.db
    .select({ settings: organizations.settings })
    .from(organizations)
    .where(eq(organizations.id, scope.organizationId));
  const ttlDays = firmPolicies(org!).portal.linkTtlDays;
  const token = randomToken(32);
  const expiresAt = new Date(app.now().getTime() + ttlDays * DAY_MS);
  const [row] = await scope
    .insert(portalTokens, {
      customerId: p.customerId,
      contactId: p.contactId ?? null,
      tokenHash: hashToken(token),
      origin: p.origin,
      createdByUserId: p.createdByUserId ?? null,
      expiresAt,
    })
    .returning({ id: portalTokens.id });
  await scope.update(
    portalTokens,
    { tokenCiphertext: app.keyRing.seal(token, sealContext(row!.id)) },
    eq(portalTokens.id, row!.id),
  );
  return { tokenId: row!.id, url: portalLinkUrl(app.config.BASE_URL, token), expiresAt };
}

/** The link a token row stands for (for the clerk's view of a sent message), or null if revoked. */
export async function revealPortalLink(
  app: Pick<AppContext, 'keyRing' | 'config'>,
  scope: OrgScope,
  tokenId: string,
): Promise<string | null> {
  const row = await scope.findById(portalTokens, tokenId);
  if (!row?.tokenCiphertext || row.revokedAt) return null;
  return portalLinkUrl(app.config.BASE_URL, app.keyRing.open(row.tokenCiphertext, sealContext(row.id)));
}

export type PortalAccess =
  | {
      status: 'ok';
      tokenId: string;
      organizationId: string;
      customerId: string;
      contactId: string | null;
      expiresAt: Date;
    }
  /** Known link, but expired or revoked: offer "send me a new link" for this firm. */
  | { status: 'expired'; organizationId: string; customerId: string }
  | { status: 'unknown' };

/**
 * Check a token and, when valid, roll its expiry forward. Constant work whatever the outcome
 * (one indexed lookup by hash), so timing does not tell a near-miss from a wild guess.
 */
export async function resolvePortalToken(
  app: Pick<AppContext, 'db' | 'now'>,
  token: string,
  opts: { touch?: boolean } = {},
): Promise<PortalAccess> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { status: 'unknown' };
  const [row] = await app.db
    .select({
      id: portalTokens.id,
      organizationId: portalTokens.organizationId,
      customerId: portalTokens.customerId,
      contactId: portalTokens.contactId,
      expiresAt: portalTokens.expiresAt,
      revokedAt: portalTokens.revokedAt,
      settings: organizations.settings,
      customerDeleted: customers.deletedAt,
    })
    .from(portalTokens)
    .innerJoin(organizations, eq(organizations.id, portalTokens.organizationId))
    .innerJoin(customers, eq(customers.id, portalTokens.customerId))
    .where(eq(portalTokens.tokenHash, hashToken(token)))
    .limit(1);
  if (!row || row.customerDeleted) return { status: 'unknown' };
  const now = app.now();
  if (row.revokedAt || row.expiresAt.getTime() <= now.getTime())
    return { status: 'expired', organizationId: row.organizationId, customerId: row.customerId };
  let expiresAt = row.expiresAt;
  if (opts.touch !== false) {
    const ttlDays = firmPolicies({ settings: row.settings }).portal.linkTtlDays;
    expiresAt = new Date(now.getTime() + ttlDays * DAY_MS);
    await app.db
      .update(portalTokens)
      .set({ expiresAt, lastUsedAt: now })
      .where(and(eq(portalTokens.id, row.id), isNull(portalTokens.revokedAt)));
  }
  return {
    status: 'ok',
    tokenId: row.id,
    organizationId: row.organizationId,
    customerId: row.customerId,
    contactId: row.contactId,
    expiresAt,
  };
}

/** Revoke every live link of a customer (a clerk's action); audited. Returns how many. */
export async function revokePortalLinks(
  app: Pick<AppContext, 'now'>,
  scope: OrgScope,
  customerId: string,
  actor: Actor,
): Promise<number> {
  const customer = await scope.findById(customers, customerId);
  if (!customer) throw new NotFoundError('customer');
  const revoked = await scope
    .update(
      portalTokens,
      { revokedAt: app.now() },
      eq(portalTokens.customerId, customerId),
      isNull(portalTokens.revokedAt),
    )
    .returning({ id: portalTokens.id });
  await audit(
    scope,
    actor,
    'portal.links_revoked',
    { type: 'customer', id: customerId },
    {
      count: revoked.length,
    },
  );
  return revoked.length;
}

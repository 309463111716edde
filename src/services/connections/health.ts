import { and, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { connections, memberships, organizations, users } from '../../db/schema';
import { OrgScope } from '../../db/scope';
import { getLogger } from '../../logging/logger';
import { audit, SYSTEM } from '../audit';
import { queueEmail } from '../email';

const log = getLogger('connections');

/**
 * The platform refused our grant (revoked, expired, disconnected from its side): the connection
 * needs reconnecting, automation for the firm is held, and owners/admins are told by e-mail
 * (once per connection and day). The connection page shows it too.
 */
export async function markNeedsReconnect(
  app: AppContext,
  connectionId: string,
  reason: string,
): Promise<void> {
  const [conn] = await app.db
    .update(connections)
    .set({ status: 'needs_reconnect', statusReason: reason.slice(0, 500), updatedAt: new Date() })
    .where(and(eq(connections.id, connectionId), eq(connections.status, 'connected')))
    .returning();
  if (!conn) return; // already marked
  log.warn({ connectionId, platform: conn.platform, reason }, 'connection needs reconnecting');
  const name = conn.displayName ?? conn.externalTenantId;
  await app.db
    .update(organizations)
    .set({ automationHeldReason: `${name} needs reconnecting` })
    .where(eq(organizations.id, conn.organizationId));
  const scope = new OrgScope(app.db, conn.organizationId);
  await audit(
    scope,
    SYSTEM,
    'connection.needs_reconnect',
    { type: 'connection', id: connectionId },
    { reason },
  );
  const admins = await app.db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(eq(memberships.organizationId, conn.organizationId), inArray(memberships.role, ['owner', 'admin'])),
    );
  const day = app.now().toISOString().slice(0, 10);
  const platform = conn.platform === 'quickbooks' ? 'QuickBooks Online' : 'Xero';
  for (const a of admins) {
    await queueEmail(app, {
      organizationId: conn.organizationId,
      kind: 'connection.needs_reconnect',
      idempotencyKey: `reconnect:${connectionId}:${day}:${a.email}`,
      to: a.email,
      subject: `Action needed: reconnect ${name} to Duely`,
      text: `Hello,\n\n${platform} no longer accepts Duely's access to ${name} (${reason}).\n\nUntil you reconnect, Duely holds all reminders for your firm so that nobody is chased on stale balances.\n\nReconnect here: ${app.config.BASE_URL}/settings/connections\n`,
    });
  }
}

/** After a successful reconnect: clear the hold if no other connection of the firm needs it. */
export async function clearHoldIfHealthy(app: AppContext, organizationId: string): Promise<void> {
  const bad = await app.db
    .select({ id: connections.id })
    .from(connections)
    .where(and(eq(connections.organizationId, organizationId), eq(connections.status, 'needs_reconnect')));
  if (bad.length === 0)
    await app.db
      .update(organizations)
      .set({ automationHeldReason: null })
      .where(eq(organizations.id, organizationId));
}

/**
 * The clerk's timeline shows when a customer looked at the portal: one `portal.visit` activity per
 * portal session and day (the firm's day). The session remembers the day it recorded, so this
 * runs once a day per session; a unique index (`activities_portal_visit_uq`) keeps requests that
 * arrive together to one row.
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/client';
import type { OrgScope } from '../../db/scope';

export async function recordPortalVisit(
  scope: OrgScope,
  p: { customerId: string; tokenId: string; visitKey: string; day: string; path: string },
): Promise<boolean> {
  const data = JSON.stringify({ visitKey: p.visitKey, day: p.day, tokenId: p.tokenId, firstPath: p.path });
  const rows = await queryRows<{ id: string }>(
    scope.db,
    sql`insert into activities (organization_id, customer_id, kind, actor_type, data)
        values (${scope.organizationId}, ${p.customerId}, 'portal.visit', 'customer', ${data}::jsonb)
        on conflict (organization_id, (data->>'visitKey'), (data->>'day')) where kind = 'portal.visit'
        do nothing
        returning id`,
  );
  return rows.length > 0;
}

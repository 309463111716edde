/**
 * The clerk's timeline shows when a customer looked at the portal: one `portal.visit` activity per
 * portal session and day (the firm's day). The session remembers the day it recorded, so this
 * runs once a day per session; the conditional insert keeps concurrent first requests to one row.
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
        select ${scope.organizationId}, ${p.customerId}, 'portal.visit', 'customer', ${data}::jsonb
         where not exists (
           select 1 from activities
            where organization_id = ${scope.organizationId} and customer_id = ${p.customerId}
              and kind = 'portal.visit' and created_at > now() - interval '2 days'
              and data->>'visitKey' = ${p.visitKey} and data->>'day' = ${p.day})
        returning id`,
  );
  return rows.length > 0;
}

/**
 * Opt-in open and click tracking, `organizations.settings.tracking = {opens, clicks}`; both off
 * unless the firm turns them on. Only the HTML part of reminder e-mails is tracked.
 */
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { organizations } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { audit, type Actor } from '../audit';
import { ValidationError, zodMessage } from '../errors';

export const trackingSchema = z.strictObject({
  opens: z.boolean().default(false),
  clicks: z.boolean().default(false),
});
export type TrackingSettings = z.infer<typeof trackingSchema>;

/** The firm's tracking settings; anything unreadable counts as off. */
export function trackingOf(org: { settings: Record<string, unknown> | null }): TrackingSettings {
  const parsed = trackingSchema.safeParse((org.settings ?? {}).tracking ?? {});
  return parsed.success ? parsed.data : { opens: false, clicks: false };
}

export async function updateTracking(
  scope: OrgScope,
  input: unknown,
  actor: Actor,
): Promise<TrackingSettings> {
  const parsed = trackingSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(zodMessage(parsed.error).message, 'tracking');
  // one key of the settings document, changed in place: other settings saved meanwhile stay
  await (scope.db as Db)
    .update(organizations)
    .set({
      settings: sql`coalesce(${organizations.settings}, '{}'::jsonb) || jsonb_build_object('tracking', ${JSON.stringify(parsed.data)}::jsonb)`,
      updatedAt: new Date(),
    })
    .where(eq(organizations.id, scope.organizationId));
  await audit(scope, actor, 'settings.tracking.updated', null, { ...parsed.data });
  return parsed.data;
}

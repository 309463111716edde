import { eq } from 'drizzle-orm';
import type { AppContext } from '../app/context';
import { SYNC_CONNECTION_JOB } from '../../jobs/definitions/syncConnection';
import { organizations } from '../db/schema';
import { OrgScope } from '../db/scope';
import { addConnectionFromRefreshToken } from '../services/connections/lifecycle';
import { createOrganization } from '../services/organizations';
import { createUser, findUserByEmail } from '../services/users';
import type { DemoEmulators } from './emulators';

export const DEMO = {
  slug: 'demo',
  name: 'Demo Firm',
  email: 'demo@duely.local',
  password: 'duely-demo-1234',
} as const;

/**
 * Seed (idempotently) the demo firm and its clerk. With the emulators running, connect the
 * demo QuickBooks company and Xero organisation to it (fresh grants each start: the emulators
 * keep no state between runs) and queue a full sync of each.
 */
export async function seedDemo(
  app: AppContext,
  emulators?: DemoEmulators,
): Promise<{ organizationId: string; email: string; password: string }> {
  let [org] = await app.db.select().from(organizations).where(eq(organizations.slug, DEMO.slug));
  if (!org) {
    org = await createOrganization(app.db, {
      name: DEMO.name,
      slug: DEMO.slug,
      timezone: 'America/New_York',
      country: 'US',
      currency: 'USD',
      isDemo: true,
    });
  }
  if (!(await findUserByEmail(app.db, DEMO.email))) {
    await createUser(
      app.db,
      {
        organizationId: org.id,
        email: DEMO.email,
        name: 'Dana Demo',
        role: 'owner',
        password: DEMO.password,
      },
      { type: 'system', id: null },
    );
  }
  if (emulators) {
    const scope = new OrgScope(app.db, org.id);
    const actor = { type: 'system' as const, id: 'demo' };
    const qb = await addConnectionFromRefreshToken(
      app,
      scope,
      {
        platform: 'quickbooks',
        externalTenantId: emulators.quickbooks.realmId,
        refreshToken: emulators.quickbooks.issueRefreshToken(),
      },
      actor,
    );
    const xero = await addConnectionFromRefreshToken(
      app,
      scope,
      {
        platform: 'xero',
        externalTenantId: emulators.xero.tenantId,
        refreshToken: emulators.xero.issueRefreshToken(),
      },
      actor,
    );
    for (const c of [qb, xero]) {
      await app.queue.enqueue(
        SYNC_CONNECTION_JOB,
        { organizationId: org.id, connectionId: c.id, mode: 'full', trigger: 'connect' },
        { jobId: `demo-sync-${c.id}-${Date.now()}` },
      );
    }
  }
  return { organizationId: org.id, email: DEMO.email, password: DEMO.password };
}

import { eq } from 'drizzle-orm';
import type { AppContext } from '../app/context';
import { organizations } from '../db/schema';
import { createOrganization } from '../services/organizations';
import { createUser, findUserByEmail } from '../services/users';

export const DEMO = {
  slug: 'demo',
  name: 'Demo Firm',
  email: 'demo@duely.local',
  password: 'duely-demo-1234',
} as const;

/**
 * Seed (idempotently) the demo firm and its clerk. The connectors' emulators attach demo
 * companies to it (see connectors/<platform>/emulator).
 */
export async function seedDemo(
  app: AppContext,
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
  return { organizationId: org.id, email: DEMO.email, password: DEMO.password };
}

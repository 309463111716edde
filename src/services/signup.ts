import { z } from 'zod';
import type { Db } from '../db/client';
import { createOrganization, type Organization } from './organizations';
import { createUser, email, password, type User } from './users';
import { ValidationError, zodMessage } from './errors';

const signUpInput = z.object({
  firmName: z.string().trim().min(1, 'is required').max(200),
  name: z.string().trim().max(200).optional(),
  email,
  password,
  timezone: z.string().optional(),
  country: z.string().optional(),
  currency: z.string().optional(),
});

/** Self-service sign-up: a firm and its owner, together or not at all. */
export async function signUp(
  db: Db,
  input: z.input<typeof signUpInput>,
): Promise<{ organization: Organization; user: User }> {
  const parsed = signUpInput.safeParse(input);
  if (!parsed.success) {
    const { message, field } = zodMessage(parsed.error);
    throw new ValidationError(message.replace(/^[^:]+: /, ''), field === 'firmName' ? 'Firm name' : field);
  }
  const v = parsed.data;
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const organization = await createOrganization(t, {
      name: v.firmName,
      timezone: v.timezone || 'UTC',
      country: v.country || 'US',
      currency: v.currency || 'USD',
    });
    const user = await createUser(
      t,
      { organizationId: organization.id, email: v.email, name: v.name, role: 'owner', password: v.password },
      { type: 'system', id: null },
    );
    return { organization, user };
  });
}

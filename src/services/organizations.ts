import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Db } from '../db/client';
import { isUniqueViolation } from '../db/errors';
import { organizations, type AutomationMode } from '../db/schema';
import { isUuid, OrgScope } from '../db/scope';
import { audit, type Actor } from './audit';
import { ConflictError, NotFoundError, ValidationError, zodMessage } from './errors';

export type Organization = typeof organizations.$inferSelect;

const timezone = z
  .string()
  .refine((z) => DateTime.local().setZone(z).isValid, 'must be an IANA time zone such as Europe/Paris');
const country = z
  .string()
  .transform((s) => s.toUpperCase())
  .refine((s) => /^[A-Z]{2}$/.test(s), 'must be a two-letter ISO country code such as US');
const currency = z
  .string()
  .transform((s) => s.toUpperCase())
  .refine((s) => {
    if (!/^[A-Z]{3}$/.test(s)) return false;
    try {
      new Intl.NumberFormat('en', { style: 'currency', currency: s });
      return true;
    } catch {
      return false;
    }
  }, 'must be an ISO 4217 currency code such as USD');
const slug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, 'must be 1-48 lower-case letters, digits or dashes');

export const createOrganizationInput = z.object({
  name: z.string().trim().min(1, 'is required').max(200),
  slug: slug.optional(),
  timezone: timezone.default('UTC'),
  country: country.default('US'),
  currency: currency.default('USD'),
  isDemo: z.boolean().optional(),
});

export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return s || 'firm';
}

export async function createOrganization(
  db: Db,
  input: z.input<typeof createOrganizationInput>,
): Promise<Organization> {
  const parsed = createOrganizationInput.safeParse(input);
  if (!parsed.success) {
    const { message, field } = zodMessage(parsed.error);
    throw new ValidationError(message.replace(/^[^:]+: /, ''), field);
  }
  const v = parsed.data;
  const base = v.slug ?? slugify(v.name);
  for (let i = 0; i < 20; i++) {
    const candidate = i === 0 ? base : `${base}-${i + 1}`;
    try {
      const [org] = await db
        .insert(organizations)
        .values({
          name: v.name,
          slug: candidate,
          timezone: v.timezone,
          country: v.country,
          baseCurrency: v.currency,
          isDemo: v.isDemo ?? false,
        })
        .returning();
      return org!;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      if (v.slug) throw new ConflictError(`an organization with slug "${v.slug}" already exists`);
    }
  }
  throw new ConflictError('could not find a free slug; pass --slug');
}

export async function findOrganization(db: Db, slugOrId: string): Promise<Organization> {
  const [org] = await db
    .select()
    .from(organizations)
    .where(isUuid(slugOrId) ? eq(organizations.id, slugOrId) : eq(organizations.slug, slugOrId))
    .limit(1);
  if (!org) throw new NotFoundError(`organization "${slugOrId}"`);
  return org;
}

export const updateOrganizationInput = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  automation: z.enum(['off', 'preview', 'live'], { message: 'must be off, preview or live' }).optional(),
  timezone: timezone.optional(),
  country: country.optional(),
  currency: currency.optional(),
});

export async function updateOrganization(
  db: Db,
  orgId: string,
  input: z.input<typeof updateOrganizationInput>,
  actor: Actor,
): Promise<Organization> {
  const parsed = updateOrganizationInput.safeParse(input);
  if (!parsed.success) {
    const { message, field } = zodMessage(parsed.error);
    throw new ValidationError(message.replace(/^[^:]+: /, ''), field);
  }
  const v = parsed.data;
  const set: Partial<typeof organizations.$inferInsert> = { updatedAt: new Date() };
  if (v.name) set.name = v.name;
  if (v.automation) set.automation = v.automation as AutomationMode;
  if (v.timezone) set.timezone = v.timezone;
  if (v.country) set.country = v.country;
  if (v.currency) set.baseCurrency = v.currency;
  const [org] = await db.update(organizations).set(set).where(eq(organizations.id, orgId)).returning();
  if (!org) throw new NotFoundError('organization');
  await audit(new OrgScope(db, orgId), actor, 'organization.updated', { type: 'organization', id: orgId }, v);
  return org;
}

/**
 * The firm's promise, dispute and portal policies, stored in `organizations.settings` under
 * `promises`, `disputes` and `portal`. Every field has a sound default, so a firm that never
 * opened the settings page still gets sensible behaviour.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { organizations } from '../db/schema';
import { OrgScope } from '../db/scope';
import { audit, type Actor } from './audit';
import { NotFoundError, ValidationError, zodMessage } from './errors';
import type { Organization } from './organizations';

export const promisePolicySchema = z.strictObject({
  /** Days after the promised date before an unpaid promise counts as broken. */
  graceDays: z.number().int().min(0).max(30).default(3),
  /** A customer may promise a date at most this many days ahead. */
  maxDays: z.number().int().min(1).max(180).default(30),
  /** What a broken promise triggers besides resuming the sequence. */
  brokenFollowUp: z.enum(['call', 'email']).default('call'),
});

export const DISPUTE_CATEGORIES = [
  'pricing',
  'quantity',
  'quality',
  'not_received',
  'duplicate',
  'already_paid',
  'other',
] as const;
export const REQUEST_CATEGORIES = ['invoice_copy', 'update_details', 'payment_plan', 'other'] as const;
export const DISPUTE_OUTCOMES = [
  'credit_issued',
  'invoice_corrected',
  'not_valid',
  'paid',
  'answered',
  'other',
] as const;

export const disputePolicySchema = z.strictObject({
  /** First response due within this many business hours. */
  firstResponseHours: z.number().int().min(1).max(240).default(8),
  /** Business hours of the firm, local time [start, end). */
  businessHours: z
    .strictObject({ start: z.number().int().min(0).max(23), end: z.number().int().min(1).max(24) })
    .refine((h) => h.end > h.start, 'end must be after start')
    .default({ start: 9, end: 17 }),
  /** Largest attachment accepted, in bytes. */
  maxAttachmentBytes: z
    .number()
    .int()
    .min(1024)
    .max(20 * 1024 * 1024)
    .default(5 * 1024 * 1024),
});

export const portalPolicySchema = z.strictObject({
  /** A link stays valid this many days after its last use (rolling). */
  linkTtlDays: z.number().int().min(1).max(365).default(30),
  /** Customers may update their contact preferences in the portal. */
  allowPreferenceUpdates: z.boolean().default(true),
});

export const policiesSchema = z.object({
  promises: promisePolicySchema.default(promisePolicySchema.parse({})),
  disputes: disputePolicySchema.default(disputePolicySchema.parse({})),
  portal: portalPolicySchema.default(portalPolicySchema.parse({})),
});

export type PromisePolicy = z.infer<typeof promisePolicySchema>;
export type DisputePolicy = z.infer<typeof disputePolicySchema>;
export type PortalPolicy = z.infer<typeof portalPolicySchema>;
export type Policies = z.infer<typeof policiesSchema>;

/** The firm's policies with defaults filled in (invalid stored values fall back to defaults). */
export function firmPolicies(org: Pick<Organization, 'settings'>): Policies {
  const s = (org.settings ?? {}) as Record<string, unknown>;
  const pick = <T>(schema: z.ZodType<T>, v: unknown): T => {
    const r = schema.safeParse(v ?? {});
    return r.success ? r.data : schema.parse({});
  };
  return {
    promises: pick(promisePolicySchema, s.promises),
    disputes: pick(disputePolicySchema, s.disputes),
    portal: pick(portalPolicySchema, s.portal),
  };
}

export async function loadPolicies(db: Db, organizationId: string): Promise<Policies> {
  const [org] = await db
    .select({ settings: organizations.settings })
    .from(organizations)
    .where(eq(organizations.id, organizationId));
  if (!org) throw new NotFoundError('organization');
  return firmPolicies(org);
}

/** Replace one policy group after validating it; audited. */
export async function updatePolicies(
  db: Db,
  organizationId: string,
  input: Partial<Record<keyof Policies, unknown>>,
  actor: Actor,
): Promise<Policies> {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, organizationId));
  if (!org) throw new NotFoundError('organization');
  const current = firmPolicies(org);
  const merged = { ...current, ...input };
  const parsed = policiesSchema.safeParse(merged);
  if (!parsed.success) {
    const { message, field } = zodMessage(parsed.error);
    throw new ValidationError(message.replace(/^[^:]+: /, ''), field);
  }
  const settings = { ...(org.settings ?? {}), ...parsed.data };
  await db
    .update(organizations)
    .set({ settings, updatedAt: new Date() })
    .where(eq(organizations.id, organizationId));
  await audit(new OrgScope(db, organizationId), actor, 'policies.updated', null, input);
  return parsed.data;
}

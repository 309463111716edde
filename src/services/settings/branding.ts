/**
 * The firm's branding and sender (`organizations.branding`): logo (https only, as mail clients
 * block the rest), colour, sender name and address, reply-to, signature, payment instructions.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { organizations, type Branding } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { audit, type Actor } from '../audit';
import { ValidationError } from '../errors';

const blankToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToNull, schema.nullable());
const oneLine = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !/[\r\n]/.test(s), 'must be one line');

export const brandingInput = z.strictObject({
  logoUrl: optional(
    z
      .string()
      .trim()
      .max(2000)
      .pipe(z.url({ protocol: /^https$/, message: 'must be an https:// address of an image' })),
  ),
  color: optional(
    z
      .string()
      .trim()
      .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour such as #1a73e8')
      .transform((s) => s.toLowerCase()),
  ),
  senderName: optional(oneLine(100)),
  senderEmail: optional(
    z
      .string()
      .trim()
      .pipe(z.email({ message: 'must be an e-mail address' })),
  ),
  replyTo: optional(
    z
      .string()
      .trim()
      .pipe(z.email({ message: 'must be an e-mail address' })),
  ),
  signature: optional(z.string().trim().max(1000, 'must be at most 1000 characters')),
  paymentInstructions: optional(z.string().trim().max(4000, 'must be at most 4000 characters')),
});

export const BRANDING_FIELDS = [
  'logoUrl',
  'color',
  'senderName',
  'senderEmail',
  'replyTo',
  'signature',
  'paymentInstructions',
] as const;

const LABELS: Record<(typeof BRANDING_FIELDS)[number], string> = {
  logoUrl: 'Logo URL',
  color: 'Colour',
  senderName: 'Sender name',
  senderEmail: 'Sender e-mail',
  replyTo: 'Reply-to',
  signature: 'Signature',
  paymentInstructions: 'Payment instructions',
};

/** Validate form values; a bad field is a ValidationError naming it (its label, then the reason). */
export function parseBranding(input: Record<string, unknown>): Branding {
  const parsed = brandingInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '') as (typeof BRANDING_FIELDS)[number];
    throw new ValidationError(`${LABELS[key] ?? key} ${issue.message}`, key || undefined);
  }
  return parsed.data;
}

export async function saveBranding(
  db: Db,
  scope: OrgScope,
  input: Record<string, unknown>,
  actor: Actor,
): Promise<Branding> {
  const branding = parseBranding(input);
  await db
    .update(organizations)
    .set({ branding, updatedAt: new Date() })
    .where(eq(organizations.id, scope.organizationId));
  await audit(scope, actor, 'branding.updated', null, { fields: BRANDING_FIELDS.filter((f) => branding[f]) });
  return branding;
}

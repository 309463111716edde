/**
 * A firm's e-mail templates: the built-ins (views/emails) with the firm's own overrides, which
 * win on the same key. Saving validates (known variables only, with the line of a problem; the
 * MJML compiles in the firm's layout) and bumps the version when anything changed; resetting
 * removes the override so the built-in applies again. Audited.
 */
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../app/context';
import { organizations, sequences, sequenceVersions, templates } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { audit, type Actor } from '../audit';
import { ConflictError, NotFoundError, ValidationError, zodMessage } from '../errors';
import { builtinTemplates, templateName } from './builtins';
import { checkFirmTemplate, TemplateInvalidError } from './validate';

export interface TemplateView {
  key: string;
  name: string;
  subject: string;
  body: string;
  /** `firm`: the firm's override (or own template); `builtin`: as shipped. */
  source: 'firm' | 'builtin';
  /** The firm's version (1, 2, …); null for a built-in. */
  version: number | null;
  /** Whether a built-in of this key exists (reset goes back to it). */
  hasBuiltin: boolean;
  updatedAt: string | null;
}

/** Keys: lowercase words with dashes, optionally a tone variant ("overdue.firm"). */
export const TEMPLATE_KEY = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?:\.(?:friendly|firm|final))?$/;

export const templateInput = z.strictObject({
  name: z.string().trim().min(1).max(120).optional(),
  subject: z.string().max(1000),
  body: z.string().max(200_000),
});
export type TemplateInput = z.input<typeof templateInput>;

function checkKey(key: string): void {
  if (key.length > 64 || !TEMPLATE_KEY.test(key))
    throw new ValidationError('must be lowercase words with dashes, e.g. "overdue" or "overdue.firm"', 'key');
}

type Row = typeof templates.$inferSelect;
const fromRow = (r: Row): TemplateView => ({
  key: r.key,
  name: r.name,
  subject: r.subject,
  body: r.body,
  source: 'firm',
  version: r.version,
  hasBuiltin: builtinTemplates().templates.has(r.key),
  updatedAt: r.updatedAt.toISOString(),
});

export async function listTemplates(scope: OrgScope): Promise<TemplateView[]> {
  const own = await scope.select(templates);
  const byKey = new Map<string, TemplateView>();
  for (const b of builtinTemplates().templates.values()) {
    byKey.set(b.key, {
      key: b.key,
      name: b.name,
      subject: b.subject,
      body: b.body,
      source: 'builtin',
      version: null,
      hasBuiltin: true,
      updatedAt: null,
    });
  }
  for (const r of own) byKey.set(r.key, fromRow(r));
  return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
}

export async function getTemplate(scope: OrgScope, key: string): Promise<TemplateView> {
  const [own] = await scope.select(templates, eq(templates.key, key));
  if (own) return fromRow(own);
  const b = builtinTemplates().templates.get(key);
  if (!b) throw new NotFoundError('template');
  return {
    key: b.key,
    name: b.name,
    subject: b.subject,
    body: b.body,
    source: 'builtin',
    version: null,
    hasBuiltin: true,
    updatedAt: null,
  };
}

/** Keys a sequence step may name as an e-mail template: the built-ins and the firm's own. */
export async function templateKeys(scope: OrgScope): Promise<string[]> {
  const own = await scope.db.select({ key: templates.key }).from(templates).where(scope.where(templates));
  return [...new Set([...builtinTemplates().templates.keys(), ...own.map((r) => r.key)])].sort();
}

/**
 * Validate and save the firm's version of a template. Nothing is saved when anything is wrong
 * (TemplateInvalidError names the field and the body line). Unchanged content keeps the version.
 */
export async function saveTemplate(
  app: Pick<AppContext, 'db'>,
  scope: OrgScope,
  key: string,
  input: TemplateInput,
  actor: Actor,
): Promise<{ template: TemplateView; status: 'created' | 'updated' | 'unchanged' }> {
  checkKey(key);
  const parsed = templateInput.safeParse(input);
  if (!parsed.success) {
    const { message, field } = zodMessage(parsed.error);
    throw new TemplateInvalidError([
      {
        field: (field === 'subject' || field === 'name' ? field : 'body') as 'subject' | 'name' | 'body',
        line: null,
        message,
      },
    ]);
  }
  const subject = parsed.data.subject.trim();
  const body = parsed.data.body.replace(/\r\n/g, '\n');
  const [org] = await scope.db
    .select({ branding: organizations.branding })
    .from(organizations)
    .where(eq(organizations.id, scope.organizationId));
  await checkFirmTemplate(subject, body, builtinTemplates().layout, {
    color: org?.branding.color && /^#[0-9a-fA-F]{6}$/.test(org.branding.color) ? org.branding.color : null,
    logoUrl: org?.branding.logoUrl ?? null,
  });
  const name = parsed.data.name ?? builtinTemplates().templates.get(key)?.name ?? templateName(key);
  const updatedBy = actor.type === 'user' ? actor.id : null;

  return scope.transaction(async (tx) => {
    const [current] = await tx.select(templates, eq(templates.key, key));
    if (current && current.subject === subject && current.body === body && current.name === name)
      return { template: fromRow(current), status: 'unchanged' as const };
    const [row] = (await tx
      .insert(templates, { key, name, subject, body, version: 1, updatedByUserId: updatedBy })
      .onConflictDoUpdate({
        target: [templates.organizationId, templates.key],
        set: {
          name,
          subject,
          body,
          version: sql`${templates.version} + 1`,
          updatedByUserId: updatedBy,
          updatedAt: new Date(),
        },
      })
      .returning()) as Row[];
    const status = current ? ('updated' as const) : ('created' as const);
    await audit(
      tx,
      actor,
      'template.saved',
      { type: 'template', id: row!.id },
      { key, version: row!.version },
    );
    return { template: fromRow(row!), status };
  });
}

/** Steps of the firm's current sequences that name `key`, as "sequence/step". */
async function stepsNaming(scope: OrgScope, key: string): Promise<string[]> {
  const rows = await scope.db
    .select({ key: sequences.key, definition: sequenceVersions.definition })
    .from(sequences)
    .innerJoin(
      sequenceVersions,
      and(
        eq(sequenceVersions.sequenceId, sequences.id),
        eq(sequenceVersions.version, sequences.currentVersion),
      ),
    )
    .where(scope.where(sequences));
  return rows.flatMap((r) =>
    r.definition.steps.filter((st) => st.template === key).map((st) => `"${r.key}" step "${st.key}"`),
  );
}

/**
 * Remove the firm's override: the built-in applies again. A firm-only template is deleted, unless
 * a step of a current sequence still names it (it would have nothing to send): ConflictError.
 */
export async function resetTemplate(
  scope: OrgScope,
  key: string,
  actor: Actor,
): Promise<TemplateView | null> {
  if (!builtinTemplates().templates.has(key)) {
    const used = await stepsNaming(scope, key);
    if (used.length > 0)
      throw new ConflictError(
        `template "${key}" is used by sequence ${used.join(', ')}: choose another template there before deleting it`,
      );
  }
  const removed = await scope.delete(templates, eq(templates.key, key)).returning({ id: templates.id });
  const hasBuiltin = builtinTemplates().templates.has(key);
  if (removed.length === 0 && !hasBuiltin) throw new NotFoundError('template');
  if (removed[0])
    await audit(scope, actor, 'template.reset', { type: 'template', id: removed[0].id }, { key });
  return hasBuiltin ? getTemplate(scope, key) : null;
}

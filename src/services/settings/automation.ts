/**
 * The firm's automation switch (off / preview / live) and its pilot (on or off, pilot customers
 * and pilot tags), with the forecast shown before going live: what the next run would send.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../app/context';
import { organizations, type AutomationMode } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { plan } from '../../domain/planner';
import { audit, type Actor } from '../audit';
import { NotFoundError, ValidationError } from '../errors';
import type { Organization } from '../organizations';
import { buildPlannerInput } from '../reminders/plannerInput';
import { setPilotFlags } from './pilot';

export interface PilotSettings {
  active: boolean;
  tags: string[];
}

export function readPilot(org: Pick<Organization, 'settings'>): PilotSettings {
  const p = (org.settings ?? {}).pilot as Partial<PilotSettings> | undefined;
  return {
    active: p?.active === true,
    tags: Array.isArray(p?.tags) ? p.tags.filter((t): t is string => typeof t === 'string') : [],
  };
}

const automationInput = z.object({
  mode: z.enum(['off', 'preview', 'live'], { message: 'must be off, preview or live' }),
  pilotActive: z.boolean(),
  pilotTags: z.array(z.string().trim().min(1).max(100, 'a tag has at most 100 characters')).max(50),
  /** Customers the page showed, and the ones ticked among them. */
  shownCustomerIds: z.array(z.string()).max(1000),
  pilotCustomerIds: z.array(z.string()).max(1000),
});
export type AutomationInput = z.infer<typeof automationInput>;

/** "vip, pilot ,x" → ["vip","pilot","x"] (deduplicated, order kept). */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

export function validateAutomation(input: unknown): AutomationInput {
  const parsed = automationInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    throw new ValidationError(`${field === 'mode' ? 'Automation' : 'Pilot tags'} ${issue.message}`, field);
  }
  return parsed.data;
}

export interface LiveForecast {
  /** Actions the next run would carry out live. */
  live: number;
  emails: number;
  tasks: number;
  customers: number;
  /** Actions that would stay in preview (customers outside the pilot). */
  previewOnly: number;
}

/**
 * What the next run (now) would do if the firm went live with these pilot settings — nothing is
 * recorded. `pilotFlags` overrides stored customer flags (the page's unsaved ticks).
 */
export async function forecastLive(
  app: AppContext,
  org: Organization,
  input: Pick<AutomationInput, 'pilotActive' | 'pilotTags'> & { pilotFlags?: Map<string, boolean> },
): Promise<LiveForecast> {
  const asIf: Organization = {
    ...org,
    automation: 'live',
    settings: { ...(org.settings ?? {}), pilot: { active: input.pilotActive, tags: input.pilotTags } },
  };
  const plannerInput = await buildPlannerInput(app.db, asIf, app.now());
  const flags = input.pilotFlags;
  const customers = flags
    ? plannerInput.customers.map((c) => (flags.has(c.id) ? { ...c, pilot: flags.get(c.id)! } : c))
    : plannerInput.customers;
  const out = plan({ ...plannerInput, customers });
  const live = out.actions.filter((a) => a.live);
  return {
    live: live.length,
    emails: live.filter((a) => a.channel === 'email').length,
    tasks: live.filter((a) => a.channel !== 'email').length,
    customers: new Set(live.map((a) => a.customerId)).size,
    previewOnly: out.actions.length - live.length,
  };
}

/** Save the mode, the pilot and the pilot flags of the customers shown; audited. */
export async function saveAutomation(
  app: AppContext,
  scope: OrgScope,
  raw: unknown,
  actor: Actor,
): Promise<{ from: AutomationMode; to: AutomationMode }> {
  const v = validateAutomation(raw);
  let from: AutomationMode = 'preview';
  const flags = await scope.transaction(async (tx) => {
    const [org] = await tx.db
      .select({ settings: organizations.settings, automation: organizations.automation })
      .from(organizations)
      .where(eq(organizations.id, scope.organizationId))
      .for('update');
    if (!org) throw new NotFoundError('organization');
    from = org.automation;
    const settings = { ...(org.settings ?? {}), pilot: { active: v.pilotActive, tags: v.pilotTags } };
    await tx.db
      .update(organizations)
      .set({ settings, automation: v.mode, updatedAt: new Date() })
      .where(eq(organizations.id, scope.organizationId));
    return setPilotFlags(tx, v.shownCustomerIds, v.pilotCustomerIds);
  });
  await audit(scope, actor, 'automation.updated', null, {
    from,
    to: v.mode,
    pilot: { active: v.pilotActive, tags: v.pilotTags },
    pilotAdded: flags.added,
    pilotRemoved: flags.removed,
  });
  return { from, to: v.mode };
}

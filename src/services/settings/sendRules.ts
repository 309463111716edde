/**
 * Send rules: when automatic messages go out (default hour, quiet hours, gap and weekly cap per
 * customer), the firm's country (its holidays are not business days) and time zone, and the
 * human-touch rule (a long-standing customer late for the first time gets a call, not an e-mail).
 * Stored in `organizations.settings.sendRules` / `.humanTouch` and the organisation's columns.
 */
import Holidays from 'date-holidays';
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Db } from '../../db/client';
import { organizations } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import {
  humanTouchRuleSchema,
  sendRulesSchema,
  type HumanTouchRule,
  type SendRules,
} from '../../domain/planner';
import { audit, type Actor } from '../audit';
import { NotFoundError, ValidationError } from '../errors';
import type { Organization } from '../organizations';

export interface SendRulesSettings {
  sendRules: SendRules;
  humanTouch: HumanTouchRule | null;
  country: string;
  timezone: string;
}

export function readSendRules(org: Organization): SendRulesSettings {
  const s = org.settings ?? {};
  const rules = sendRulesSchema.safeParse(s.sendRules ?? {});
  const touch = s.humanTouch ? humanTouchRuleSchema.safeParse(s.humanTouch) : null;
  return {
    sendRules: rules.success ? rules.data : sendRulesSchema.parse({}),
    humanTouch: touch && touch.success ? touch.data : null,
    country: org.country,
    timezone: org.timezone,
  };
}

/** The form as posted: every field a string; checkboxes '1' or ''. */
export interface SendRulesForm {
  defaultHour: string;
  quietHours: string;
  quietStart: string;
  quietEnd: string;
  minGapDays: string;
  weeklyCap: string;
  country: string;
  timezone: string;
  humanTouch: string;
  humanTouchYears: string;
}

function int(label: string, field: string, value: string, min: number, max: number): number {
  if (!/^[+-]?\d{1,4}$/.test(value.trim()))
    throw new ValidationError(`${label} must be a whole number from ${min} to ${max}`, field);
  const n = Number(value.trim());
  if (n < min || n > max) throw new ValidationError(`${label} must be from ${min} to ${max}`, field);
  return n;
}

const knownCountries = (() => {
  let list: Record<string, string> | null = null;
  return () => (list ??= new Holidays().getCountries());
})();

/** Validate the whole form; the first bad field is a ValidationError naming it. */
export function parseSendRulesForm(f: SendRulesForm): SendRulesSettings {
  const defaultHour = int('The default hour', 'defaultHour', f.defaultHour, 0, 23);
  const quietHours =
    f.quietHours === '1'
      ? {
          start: int('Quiet hours start', 'quietStart', f.quietStart, 0, 23),
          end: int('Quiet hours end', 'quietEnd', f.quietEnd, 0, 23),
        }
      : null;
  if (quietHours && quietHours.start === quietHours.end)
    throw new ValidationError('Quiet hours must start and end at different hours', 'quietEnd');
  const minGapDays = int('The minimum gap', 'minGapDays', f.minGapDays, 0, 60);
  const weeklyCap = f.weeklyCap.trim() === '' ? null : int('The weekly cap', 'weeklyCap', f.weeklyCap, 1, 50);
  const sendRules = sendRulesSchema.parse({ defaultHour, quietHours, minGapDays, weeklyCap });
  if (quietHours && !quietAllows(quietHours, defaultHour))
    throw new ValidationError('The default hour falls in the quiet hours', 'defaultHour');

  const country = f.country.trim().toUpperCase();
  const [cc] = country.split('-');
  if (!/^[A-Z]{2}(-[A-Z0-9]{1,3}){0,2}$/.test(country) || !cc || !knownCountries()[cc])
    throw new ValidationError(
      'Country must be a two-letter ISO code such as US (optionally a region, DE-BY)',
      'country',
    );
  const timezone = f.timezone.trim();
  if (!timezone || !DateTime.local().setZone(timezone).isValid)
    throw new ValidationError('Time zone must be an IANA zone such as Europe/Paris', 'timezone');
  const humanTouch =
    f.humanTouch === '1'
      ? humanTouchRuleSchema.parse({ minYears: int('Years', 'humanTouchYears', f.humanTouchYears, 1, 50) })
      : null;
  return { sendRules, humanTouch, country, timezone };
}

function quietAllows(q: { start: number; end: number }, hour: number): boolean {
  return q.start < q.end ? hour < q.start || hour >= q.end : hour < q.start && hour >= q.end;
}

export async function saveSendRules(
  db: Db,
  scope: OrgScope,
  form: SendRulesForm,
  actor: Actor,
): Promise<SendRulesSettings> {
  const v = parseSendRulesForm(form);
  await db.transaction(async (tx) => {
    const [org] = await tx
      .select({ settings: organizations.settings })
      .from(organizations)
      .where(eq(organizations.id, scope.organizationId))
      .for('update');
    if (!org) throw new NotFoundError('organization');
    const settings = { ...(org.settings ?? {}), sendRules: v.sendRules, humanTouch: v.humanTouch };
    await tx
      .update(organizations)
      .set({ settings, country: v.country, timezone: v.timezone, updatedAt: new Date() })
      .where(eq(organizations.id, scope.organizationId));
  });
  await audit(scope, actor, 'settings.send_rules.updated', null, { ...v });
  return v;
}

/**
 * How automation treats one customer: pause until a date (with a reason) or resume, the sequence
 * chosen by hand or back to automatic (by tag, else the firm's default), tags, the pilot flag.
 * Each change is audited and put on the customer's timeline; the planner reads these columns
 * (a pause is its `paused` skip reason, a chosen sequence the one it plans with).
 */
import { eq } from 'drizzle-orm';
import { customers } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { isLocalDate } from '../../domain/calendar/localDate';
import { localDateOf } from '../../domain/calendar/sendTime';
import { audit, type Actor } from '../audit';
import { ValidationError } from '../errors';
import { listSequences } from '../sequences';
import { recordActivity } from './activities';
import { findCustomer } from './detail';
import { firmView } from './firm';

const MAX_TAGS = 30;
const MAX_REASON = 500;

async function change(
  scope: OrgScope,
  customerId: string,
  set: Partial<typeof customers.$inferInsert>,
  actor: Actor,
  kind: string,
  data: Record<string, unknown>,
  body: string | null = null,
): Promise<void> {
  await scope.transaction(async (tx) => {
    await tx.update(customers, { ...set, updatedAt: new Date() }, eq(customers.id, customerId));
    await audit(tx, actor, kind, { type: 'customer', id: customerId }, data);
    await recordActivity(tx, { customerId, kind, actor, body, data });
  });
}

/** Pause reminders until a date (inclusive, in the firm's calendar), with a reason. */
export async function pauseCustomer(
  scope: OrgScope,
  customerId: string,
  p: { until: string; reason: string },
  actor: Actor,
  now: Date,
): Promise<void> {
  const customer = await findCustomer(scope, customerId);
  const until = p.until.trim();
  if (!isLocalDate(until)) throw new ValidationError('give the last day of the pause as YYYY-MM-DD', 'until');
  const firm = await firmView(scope, now);
  if (until < localDateOf(now, firm.timezone))
    throw new ValidationError('the pause must end today or later', 'until');
  const reason = p.reason.trim();
  if (!reason) throw new ValidationError('say why reminders are paused', 'reason');
  if (reason.length > MAX_REASON) throw new ValidationError(`at most ${MAX_REASON} characters`, 'reason');
  await change(
    scope,
    customer.id,
    { pausedUntil: until, pausedReason: reason },
    actor,
    'customer.paused',
    { until, previousUntil: customer.pausedUntil },
    reason,
  );
}

export async function resumeCustomer(scope: OrgScope, customerId: string, actor: Actor): Promise<boolean> {
  const customer = await findCustomer(scope, customerId);
  if (!customer.pausedUntil) return false;
  await change(scope, customer.id, { pausedUntil: null, pausedReason: null }, actor, 'customer.resumed', {
    previousUntil: customer.pausedUntil,
  });
  return true;
}

/** A sequence chosen by hand, or null: automatic again (by tag, else the default). */
export async function setCustomerSequence(
  scope: OrgScope,
  customerId: string,
  sequenceKey: string | null,
  actor: Actor,
): Promise<boolean> {
  const customer = await findCustomer(scope, customerId);
  const key = sequenceKey?.trim() || null;
  if (key && !(await listSequences(scope)).some((s) => s.key === key))
    throw new ValidationError(`there is no sequence "${key}"`, 'sequenceKey');
  if (key === customer.sequenceKey) return false;
  await change(scope, customer.id, { sequenceKey: key }, actor, 'sequence.changed', {
    from: customer.sequenceKey,
    to: key,
  });
  return true;
}

/** Tags as typed (comma separated), trimmed, without duplicates, in the order given. */
export function parseTags(input: string): string[] {
  const out: string[] = [];
  for (const raw of input.split(',')) {
    const tag = raw.trim().replace(/\s+/g, ' ');
    if (!tag) continue;
    if (tag.length > 50)
      throw new ValidationError(`"${tag.slice(0, 20)}…" is longer than 50 characters`, 'tags');
    if (!out.some((t) => t.toLowerCase() === tag.toLowerCase())) out.push(tag);
  }
  if (out.length > MAX_TAGS) throw new ValidationError(`at most ${MAX_TAGS} tags`, 'tags');
  return out;
}

export async function setCustomerTags(
  scope: OrgScope,
  customerId: string,
  tags: string[],
  actor: Actor,
): Promise<boolean> {
  const customer = await findCustomer(scope, customerId);
  if (JSON.stringify(tags) === JSON.stringify(customer.tags)) return false;
  await change(scope, customer.id, { tags }, actor, 'tags.changed', {
    from: customer.tags,
    to: tags,
  });
  return true;
}

export async function setCustomerPilot(
  scope: OrgScope,
  customerId: string,
  pilot: boolean,
  actor: Actor,
): Promise<boolean> {
  const customer = await findCustomer(scope, customerId);
  if (customer.pilot === pilot) return false;
  await change(scope, customer.id, { pilot }, actor, 'pilot.changed', { pilot });
  return true;
}

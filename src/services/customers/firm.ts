/**
 * What every customer page needs to know about the firm: its time zone and today's date there,
 * its base currency, and how a customer's sequence is chosen (by hand, by tag, else the default).
 */
import { eq } from 'drizzle-orm';
import { organizations } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import type { LocalDate } from '../../domain/calendar/localDate';
import { localDateOf } from '../../domain/calendar/sendTime';
import { NotFoundError } from '../errors';
import { listSequences } from '../sequences';
import { sequenceByTag, type TagRule } from '../settings/sequenceTags';

export interface FirmView {
  name: string;
  timezone: string;
  baseCurrency: string;
  today: LocalDate;
  defaultSequenceKey: string | null;
  tagRules: TagRule[];
  sequences: { key: string; name: string; isDefault: boolean }[];
}

export async function firmView(scope: OrgScope, now: Date): Promise<FirmView> {
  const [org] = await scope.db
    .select()
    .from(organizations)
    .where(eq(organizations.id, scope.organizationId))
    .limit(1);
  if (!org) throw new NotFoundError('organization');
  const sequences = (await listSequences(scope)).map((s) => ({
    key: s.key,
    name: s.name,
    isDefault: s.isDefault,
  }));
  return {
    name: org.name,
    timezone: org.timezone,
    baseCurrency: org.baseCurrency,
    today: localDateOf(now, org.timezone),
    defaultSequenceKey: sequences.find((s) => s.isDefault)?.key ?? null,
    tagRules: sequenceByTag(org),
    sequences,
  };
}

export type SequenceSource = 'manual' | 'tag' | 'default';
export const SEQUENCE_SOURCES: readonly SequenceSource[] = ['manual', 'tag', 'default'];

/** The planner's rule (domain/planner/gates.ts `sequenceKeyFor`), with where the choice came from. */
export function effectiveSequence(
  customer: { sequenceKey: string | null; tags: string[] },
  firm: Pick<FirmView, 'defaultSequenceKey' | 'tagRules'>,
): { key: string | null; source: SequenceSource; tag?: string } {
  if (customer.sequenceKey) return { key: customer.sequenceKey, source: 'manual' };
  for (const rule of firm.tagRules)
    if (customer.tags.includes(rule.tag)) return { key: rule.sequenceKey, source: 'tag', tag: rule.tag };
  return { key: firm.defaultSequenceKey, source: 'default' };
}

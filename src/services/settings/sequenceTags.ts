/**
 * Which customer tag runs which sequence (`organizations.settings.sequenceByTag`, first match
 * wins; a customer with a sequence chosen by hand keeps it, one without a matching tag gets the
 * default).
 */
import type { Db } from '../../db/client';
import type { OrgScope } from '../../db/scope';
import { audit, type Actor } from '../audit';
import { ValidationError } from '../errors';
import type { Organization } from '../organizations';
import { listSequences } from '../sequences';
import { updateSettings } from './store';

export interface TagRule {
  tag: string;
  sequenceKey: string;
}

export function sequenceByTag(org: Pick<Organization, 'settings'>): TagRule[] {
  const raw = (org.settings ?? {}).sequenceByTag;
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (r): r is TagRule =>
      typeof r === 'object' &&
      r !== null &&
      typeof (r as TagRule).tag === 'string' &&
      typeof (r as TagRule).sequenceKey === 'string',
  );
}

/** Rows with an empty tag are dropped; a tag listed twice, or an unknown sequence, is an error. */
export async function saveSequenceByTag(
  db: Db,
  scope: OrgScope,
  rows: { tag: string; sequenceKey: string }[],
  actor: Actor,
): Promise<TagRule[]> {
  const known = new Set((await listSequences(scope)).map((s) => s.key));
  const rules: TagRule[] = [];
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    const tag = r.tag.trim();
    if (!tag) return;
    if (tag.length > 100) throw new ValidationError('a tag has at most 100 characters', `rules[${i}].tag`);
    if (seen.has(tag.toLowerCase()))
      throw new ValidationError(`the tag "${tag}" is listed twice`, `rules[${i}].tag`);
    if (!known.has(r.sequenceKey))
      throw new ValidationError(`unknown sequence "${r.sequenceKey}"`, `rules[${i}].sequenceKey`);
    seen.add(tag.toLowerCase());
    rules.push({ tag, sequenceKey: r.sequenceKey });
  });
  await updateSettings(db, scope.organizationId, (s) => ({ ...s, sequenceByTag: rules }));
  await audit(scope, actor, 'settings.sequence_by_tag.updated', null, { rules });
  return rules;
}

/**
 * The e-mail renderer for one firm's previews: the built-in templates plus the firm's own (which
 * win on the same key). Compiled MJML is reused while the firm's template versions stay the same.
 */
import { templates } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { createBuiltinRenderer, type EmailTemplate, type Renderer } from '../../email';

const cache = new Map<string, Renderer>();
const MAX_CACHED = 50;
let builtin: Renderer | null = null;

/** A firm template as a template file: the header comment carries the subject. */
export function templateSource(subject: string, body: string): string {
  return `<!--\nsubject: ${subject.replace(/-->/g, '')}\n-->\n${body}`;
}

export async function firmRenderer(scope: OrgScope): Promise<Renderer> {
  const own = await scope.db
    .select({
      key: templates.key,
      subject: templates.subject,
      body: templates.body,
      version: templates.version,
    })
    .from(templates)
    .where(scope.where(templates));
  if (own.length === 0) {
    builtin ??= createBuiltinRenderer();
    return builtin;
  }
  const extra: EmailTemplate[] = own.map((t) => ({
    key: t.key,
    version: `firm-${t.version}`,
    source: templateSource(t.subject, t.body),
  }));
  const cacheKey = `${scope.organizationId}|${extra
    .map((t) => `${t.key}@${t.version}`)
    .sort()
    .join(',')}`;
  let hit = cache.get(cacheKey);
  if (!hit) {
    hit = createBuiltinRenderer(extra);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(cacheKey, hit);
  }
  return hit;
}

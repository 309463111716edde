/**
 * The renderer for one firm: the built-in templates plus the firm's own, which win on the same key.
 * MJML is compiled once per (firm, key, version, branding) into one bounded cache shared by every
 * firm (built-ins once per branding); a message only fills the compiled skeleton.
 */
import { templates } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import {
  CompileCache,
  createRenderer,
  validateTemplate,
  type EmailTemplate,
  type Renderer,
} from '../../email';
import { getLogger } from '../../logging/logger';
import { builtinTemplates } from './builtins';
import { templateSource } from './validate';

const log = getLogger('templates');

/** Compiled templates of every firm; least recently used go first. */
export const compileCache = new CompileCache(1000);
const renderers = new Map<string, Renderer>();
const MAX_RENDERERS = 200;

/** The firm's template set as renderer input; an override that no longer validates is skipped. */
async function firmTemplates(scope: OrgScope): Promise<EmailTemplate[]> {
  const own = await scope.db
    .select({
      key: templates.key,
      subject: templates.subject,
      body: templates.body,
      version: templates.version,
    })
    .from(templates)
    .where(scope.where(templates));
  const out: EmailTemplate[] = [];
  for (const t of own) {
    const source = templateSource(t.subject, t.body);
    if (!validateTemplate(source).ok) {
      log.warn({ organizationId: scope.organizationId, key: t.key }, 'firm template invalid; built-in used');
      continue;
    }
    out.push({ key: t.key, version: `firm:${scope.organizationId}:${t.version}`, source });
  }
  return out;
}

export async function firmRenderer(scope: OrgScope): Promise<Renderer> {
  const own = await firmTemplates(scope);
  const cacheKey =
    own.length === 0
      ? 'builtin'
      : `${scope.organizationId}|${own
          .map((t) => `${t.key}@${t.version}`)
          .sort()
          .join(',')}`;
  let hit = renderers.get(cacheKey);
  if (hit) {
    renderers.delete(cacheKey);
    renderers.set(cacheKey, hit);
    return hit;
  }
  const { raw, layout } = builtinTemplates();
  const byKey = new Map(raw.map((t) => [t.key, t]));
  for (const t of own) byKey.set(t.key, t);
  hit = createRenderer({ templates: [...byKey.values()], layout, cache: compileCache });
  renderers.set(cacheKey, hit);
  while (renderers.size > MAX_RENDERERS) renderers.delete(renderers.keys().next().value as string);
  return hit;
}

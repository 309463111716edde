import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../util/paths';
import { createRenderer, type EmailTemplate, type Renderer, type RendererOptions } from './renderer';

export const emailViewsDir = (): string => path.join(projectRoot(), 'views', 'emails');
export const LAYOUT_FILE = '_layout.mjml';

/** The built-in templates in views/emails; the version is a hash of the file's content. */
export function loadBuiltinTemplates(dir: string = emailViewsDir()): {
  templates: EmailTemplate[];
  layout: string;
} {
  const layout = fs.readFileSync(path.join(dir, LAYOUT_FILE), 'utf8');
  const templates = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.mjml') && f !== LAYOUT_FILE)
    .sort()
    .map((f) => {
      const source = fs.readFileSync(path.join(dir, f), 'utf8');
      return {
        key: f.slice(0, -'.mjml'.length),
        version: createHash('sha256').update(source).digest('hex').slice(0, 12),
        source,
      };
    });
  return { templates, layout };
}

/** A renderer over the built-in templates plus the firm's own (which win on the same key). */
export function createBuiltinRenderer(
  extra: readonly EmailTemplate[] = [],
  opts: Partial<RendererOptions> = {},
): Renderer {
  const { templates, layout } = loadBuiltinTemplates();
  const byKey = new Map(templates.map((t) => [t.key, t]));
  for (const t of extra) byKey.set(t.key, t);
  return createRenderer({ templates: [...byKey.values()], layout, ...opts });
}

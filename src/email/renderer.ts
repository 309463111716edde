/**
 * `createRenderer()` — renders e-mails from templates compiled once per template version, layout
 * and firm branding; per message it only fills escaped values into the compiled skeleton.
 */
import { createHash } from 'node:crypto';
import {
  compileTemplate,
  DEFAULT_BRAND_COLOR,
  defaultMjmlCompiler,
  type CompiledTemplate,
  type MjmlCompiler,
} from './compile';
import { CompileCache } from './compileCache';
import { brandingSchema, buildValues, type EmailData } from './data';
import { fill } from './skeleton';
import { parseTemplateFile } from './templateFile';
import { validateTemplate } from './validate';
import { BLOCK_VARIABLES } from './variables';

export interface EmailTemplate {
  /** "overdue", or a tone variant "overdue.firm" */
  key: string;
  version: string;
  source: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  templateKey: string;
  templateVersion: string;
}

export interface RenderOptions {
  /** Use the "<key>.<tone>" variant when the firm has one. */
  tone?: 'friendly' | 'firm' | 'final' | null;
}

export interface RendererOptions {
  templates: readonly EmailTemplate[];
  layout: string;
  compiler?: MjmlCompiler;
  /**
   * Share compiled templates across renderers (e.g. one per firm). Versions must then be unique
   * per content: a firm template's version names the firm.
   */
  cache?: CompileCache;
}

export class UnknownTemplateError extends Error {
  override readonly name = 'UnknownTemplateError';
}

export interface Renderer {
  render(templateKey: string, data: EmailData, options?: RenderOptions): Promise<RenderedEmail>;
  /** The template actually used for a key and tone. */
  resolve(templateKey: string, tone?: RenderOptions['tone']): EmailTemplate;
  has(templateKey: string): boolean;
  /** How many times MJML was compiled (once per template version, layout and branding). */
  readonly compilations: number;
}

/** Trim each line and keep at most one blank line between paragraphs. */
function tidyText(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  );
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

export function createRenderer(options: RendererOptions): Renderer {
  const templates = new Map<string, EmailTemplate>();
  for (const t of options.templates) {
    const check = validateTemplate(t.source);
    if (!check.ok) throw new Error(`template "${t.key}": ${check.message}`);
    templates.set(t.key, t);
  }
  const layoutHash = sha(options.layout);
  const compiler = options.compiler ?? defaultMjmlCompiler;
  const cache = options.cache ?? new CompileCache();
  let compilations = 0;

  function resolve(key: string, tone?: RenderOptions['tone']): EmailTemplate {
    const t = (tone ? templates.get(`${key}.${tone}`) : undefined) ?? templates.get(key);
    if (!t) throw new UnknownTemplateError(`unknown e-mail template "${key}"`);
    return t;
  }

  function compiled(t: EmailTemplate, data: EmailData): Promise<CompiledTemplate> {
    const branding = brandingSchema.parse(data.firm.branding ?? {});
    const brand = { color: branding.color ?? DEFAULT_BRAND_COLOR, logoUrl: branding.logoUrl ?? null };
    const cacheKey = `${t.key}@${t.version}#${layoutHash}#${brand.color}|${brand.logoUrl ?? ''}`;
    let hit = cache.get(cacheKey);
    if (!hit) {
      compilations += 1;
      hit = compileTemplate(t.key, parseTemplateFile(t.source), options.layout, brand, compiler);
      hit.catch(() => cache.delete(cacheKey));
      cache.set(cacheKey, hit);
    }
    return hit;
  }

  return {
    resolve,
    has: (key) => templates.has(key),
    get compilations() {
      return compilations;
    },
    async render(key, data, opts = {}) {
      const t = resolve(key, opts.tone);
      const c = await compiled(t, data);
      const values = buildValues(data);
      const oneLine: Record<string, string> = {};
      for (const [k, v] of Object.entries(values.text)) oneLine[k] = v.replace(/[\r\n]+/g, ' ');
      return {
        subject: fill(c.subject, oneLine, 'text', BLOCK_VARIABLES).trim(),
        html: fill(c.html, values.html, 'html', BLOCK_VARIABLES),
        text: tidyText(fill(c.text, values.text, 'text', BLOCK_VARIABLES)),
        templateKey: t.key,
        templateVersion: t.version,
      };
    },
  };
}

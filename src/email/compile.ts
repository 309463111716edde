/**
 * Compile a template once: layout + body + branding → MJML → HTML with `{{name}}` slots, plus the
 * subject and plain-text skeletons. Per message only the slots are filled (see renderer.ts).
 */
import mjml2html from 'mjml';
import { escapeHtml } from './escape';
import { toSkeleton, variablesOf, type Skeleton } from './skeleton';
import type { TemplateFile } from './templateFile';
import { textFromMjml } from './textFromMjml';
import { KNOWN_VARIABLES } from './variables';

export interface LayoutBranding {
  color: string;
  logoUrl: string | null;
}

export interface CompiledTemplate {
  subject: Skeleton;
  html: Skeleton;
  text: Skeleton;
}

export type MjmlCompiler = (
  mjml: string,
) => Promise<{ html: string; errors: { line: number; message: string }[] }>;

export const defaultMjmlCompiler: MjmlCompiler = async (source) => {
  const r = await mjml2html(source, { validationLevel: 'soft', keepComments: false });
  return { html: r.html, errors: r.errors.map((e) => ({ line: e.line, message: e.message })) };
};

export class TemplateCompileError extends Error {
  override readonly name = 'TemplateCompileError';
}

export const DEFAULT_BRAND_COLOR = '#1f4e79';

export function assembleMjml(
  file: TemplateFile,
  layout: string,
  brand: LayoutBranding,
): { mjml: string; contentLine: number } {
  const logo = brand.logoUrl
    ? `<mj-image src="${escapeHtml(brand.logoUrl)}" alt="{{firmName}}" width="160px" align="left" padding="0" />`
    : `<mj-text font-size="20px" font-weight="700" color="${brand.color}" padding="0">{{firmName}}</mj-text>`;
  const at = layout.indexOf('[[content]]');
  if (at < 0) throw new TemplateCompileError('the layout has no [[content]] slot');
  const contentLine = layout.slice(0, at).split('\n').length;
  const mjml = layout
    .replace('[[content]]', () => file.body)
    .replace(/\[\[brandColor\]\]/g, brand.color)
    .replace('[[logo]]', () => logo)
    .replace('[[preview]]', () => escapeHtml(file.preview).replace(/&lt;|&gt;/g, ''));
  return { mjml, contentLine };
}

export async function compileTemplate(
  key: string,
  file: TemplateFile,
  layout: string,
  brand: LayoutBranding,
  compiler: MjmlCompiler = defaultMjmlCompiler,
): Promise<CompiledTemplate> {
  const { mjml, contentLine } = assembleMjml(file, layout, brand);
  const bodyLines = file.body.split('\n').length;
  const out = await compiler(mjml);
  if (out.errors.length > 0) {
    const e = out.errors[0]!;
    const inBody = e.line >= contentLine && e.line < contentLine + bodyLines;
    const where = inBody ? `line ${e.line - contentLine + file.bodyLine}` : `layout line ${e.line}`;
    throw new TemplateCompileError(`template "${key}", ${where}: ${e.message}`);
  }
  const compiled = {
    subject: toSkeleton(file.subject),
    html: toSkeleton(out.html),
    text: toSkeleton(textFromMjml(mjml)),
  };
  for (const part of [compiled.subject, compiled.html, compiled.text]) {
    for (const v of variablesOf(part)) {
      if (!KNOWN_VARIABLES.has(v))
        throw new TemplateCompileError(`template "${key}": unknown variable "${v}"`);
    }
  }
  return compiled;
}

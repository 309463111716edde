/**
 * Checks a firm template before it is saved: the subject and body use only known variables
 * (`src/email/variables.ts`), the header rules hold, and the MJML compiles inside the firm's
 * layout. Problems carry the line of the body as the clerk sees it in the editor.
 */
import {
  assembleMjml,
  DEFAULT_BRAND_COLOR,
  defaultMjmlCompiler,
  type MjmlCompiler,
} from '../../email/compile';
import { parseTemplateFile } from '../../email/templateFile';
import { validateTemplate } from '../../email/validate';
import { ValidationError } from '../errors';

export interface TemplateIssue {
  field: 'key' | 'name' | 'subject' | 'body';
  /** 1-based line of the body; null for the subject and whole-field problems. */
  line: number | null;
  message: string;
}

export class TemplateInvalidError extends ValidationError {
  constructor(readonly issues: TemplateIssue[]) {
    const first = issues[0]!;
    super(first.line !== null ? `line ${first.line}: ${first.message}` : first.message, first.field);
  }
}

/** A firm template as a template file: the header comment carries the subject. */
export function templateSource(subject: string, body: string): string {
  return `<!--\nsubject: ${subject.replace(/-->/g, '')}\n-->\n${body}`;
}
/** Lines before the body in templateSource(). */
const HEADER_LINES = 3;

/** `unknown variable "x"` → `unknown variable {{x}}`: as the clerk wrote it. */
const wording = (m: string) => m.replace(/^unknown variable "([^"]+)"$/, 'unknown variable {{$1}}');

export async function checkFirmTemplate(
  subject: string,
  body: string,
  layout: string,
  brand: { color: string | null; logoUrl: string | null },
  compiler: MjmlCompiler = defaultMjmlCompiler,
): Promise<void> {
  const issues: TemplateIssue[] = [];
  if (!subject.trim()) issues.push({ field: 'subject', line: null, message: 'the subject is empty' });
  else if (/[\r\n]/.test(subject))
    issues.push({ field: 'subject', line: null, message: 'the subject must be one line' });
  else if (subject.length > 300)
    issues.push({ field: 'subject', line: null, message: 'the subject is longer than 300 characters' });
  if (!body.trim()) issues.push({ field: 'body', line: null, message: 'the body is empty' });
  if (body.length > 100_000)
    issues.push({ field: 'body', line: null, message: 'the body is longer than 100,000 characters' });
  if (issues.length) throw new TemplateInvalidError(issues);

  const check = validateTemplate(templateSource(subject, body));
  if (!check.ok) {
    for (const p of check.problems) {
      if (p.line <= HEADER_LINES)
        issues.push({ field: 'subject', line: null, message: `subject: ${wording(p.message)}` });
      else issues.push({ field: 'body', line: p.line - HEADER_LINES, message: wording(p.message) });
    }
    throw new TemplateInvalidError(issues);
  }

  const file = parseTemplateFile(templateSource(subject, body));
  const { mjml, contentLine } = assembleMjml(file, layout, {
    color: brand.color ?? DEFAULT_BRAND_COLOR,
    logoUrl: brand.logoUrl,
  });
  const out = await compiler(mjml);
  const bodyLines = file.body.split('\n').length;
  for (const e of out.errors) {
    const inBody = e.line >= contentLine && e.line < contentLine + bodyLines;
    issues.push({
      field: 'body',
      line: inBody ? e.line - contentLine + 1 : null,
      message: inBody ? e.message : `the MJML does not fit the layout: ${e.message}`,
    });
  }
  if (issues.length) throw new TemplateInvalidError(issues);
}

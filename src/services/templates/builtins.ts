/** The built-in e-mail templates (views/emails) as subject + body, read once per process. */
import { loadBuiltinTemplates, type EmailTemplate } from '../../email';
import { parseTemplateFile } from '../../email/templateFile';

export interface BuiltinTemplate {
  key: string;
  name: string;
  subject: string;
  preview: string;
  body: string;
  /** Content hash of the file. */
  version: string;
  source: string;
}

let loaded: { templates: Map<string, BuiltinTemplate>; layout: string; raw: EmailTemplate[] } | null = null;

const TONES: Record<string, string> = { friendly: 'friendly tone', firm: 'firm tone', final: 'final tone' };

/** "friendly-reminder" → "Friendly reminder"; "overdue.firm" → "Overdue (firm tone)". */
export function templateName(key: string): string {
  const [base = key, tone] = key.split('.');
  const words = base.replace(/-/g, ' ');
  const name = words.charAt(0).toUpperCase() + words.slice(1);
  return tone ? `${name} (${TONES[tone] ?? tone})` : name;
}

export function builtinTemplates(): {
  templates: Map<string, BuiltinTemplate>;
  layout: string;
  raw: EmailTemplate[];
} {
  if (!loaded) {
    const { templates, layout } = loadBuiltinTemplates();
    const map = new Map<string, BuiltinTemplate>();
    for (const t of templates) {
      const file = parseTemplateFile(t.source);
      map.set(t.key, {
        key: t.key,
        name: templateName(t.key),
        subject: file.subject,
        preview: file.preview,
        body: file.body.replace(/^\n+/, ''),
        version: t.version,
        source: t.source,
      });
    }
    loaded = { templates: map, layout, raw: templates };
  }
  return loaded;
}

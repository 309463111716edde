/**
 * A template file starts with a header comment holding `subject:` (and optionally `preview:`),
 * followed by the MJML body that goes inside the layout's column (mj-text, mj-button, mj-divider…):
 *
 *   <!--
 *   subject: Reminder: {{totalDue}} due on {{dueDate}}
 *   preview: You can pay online in a minute.
 *   -->
 *   <mj-text>…</mj-text>
 */
export interface TemplateFile {
  subject: string;
  preview: string;
  body: string;
  /** 1-based line number of the first body line in the file. */
  bodyLine: number;
}

export class TemplateFileError extends Error {
  override readonly name = 'TemplateFileError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export function parseTemplateFile(source: string): TemplateFile {
  const lines = source.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0 || !(lines[first] ?? '').trim().startsWith('<!--')) {
    throw new TemplateFileError(
      'the template must start with a header comment: <!-- subject: … -->',
      first + 1 || 1,
    );
  }
  const end = lines.findIndex((l, i) => i >= first && l.includes('-->'));
  if (end < 0) throw new TemplateFileError('the header comment is not closed with "-->"', first + 1);
  const header = new Map<string, string>();
  for (let i = first; i <= end; i++) {
    const text = (lines[i] ?? '').replace('<!--', '').replace('-->', '').trim();
    if (text === '') continue;
    const m = /^([a-z]+):\s*(.*)$/.exec(text);
    if (!m || (m[1] !== 'subject' && m[1] !== 'preview')) {
      throw new TemplateFileError(
        `expected "subject: …" or "preview: …", got ${JSON.stringify(text)}`,
        i + 1,
      );
    }
    header.set(m[1], (m[2] ?? '').trim());
  }
  const subject = header.get('subject');
  if (!subject) throw new TemplateFileError('the header needs a non-empty "subject:" line', first + 1);
  return {
    subject,
    preview: header.get('preview') ?? '',
    body: lines.slice(end + 1).join('\n'),
    bodyLine: end + 2,
  };
}

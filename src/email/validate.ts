import { parseTemplateFile, TemplateFileError } from './templateFile';
import { KNOWN_VARIABLES } from './variables';

export interface TemplateProblem {
  line: number;
  message: string;
}

export type TemplateValidation = { ok: true } | { ok: false; problems: TemplateProblem[]; message: string };

/**
 * Check a template before it is saved: header, variables (only known ones, `{{name}}` form),
 * no raw-HTML triple braces, no layout-reserved `[[…]]` tokens. Problems carry the file's line.
 */
export function validateTemplate(source: string): TemplateValidation {
  const problems: TemplateProblem[] = [];
  try {
    parseTemplateFile(source);
  } catch (err) {
    if (err instanceof TemplateFileError)
      problems.push({ line: err.line, message: err.message.replace(/^line \d+: /, '') });
    else throw err;
  }
  source.split(/\r?\n/).forEach((text, i) => {
    const line = i + 1;
    if (text.includes('{{{')) {
      problems.push({ line, message: 'triple braces are not allowed: every value is escaped, use {{name}}' });
      return;
    }
    if (/\[\[|\]\]/.test(text)) problems.push({ line, message: '"[[" and "]]" are reserved for the layout' });
    const open = /\{\{/g;
    let m: RegExpExecArray | null;
    while ((m = open.exec(text))) {
      const close = text.indexOf('}}', m.index + 2);
      if (close < 0) {
        problems.push({ line, message: 'unclosed "{{"' });
        break;
      }
      const name = text.slice(m.index + 2, close).trim();
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) {
        problems.push({ line, message: `"{{${name}}}" is not a variable name` });
      } else if (!KNOWN_VARIABLES.has(name)) {
        problems.push({ line, message: `unknown variable "${name}"` });
      }
      open.lastIndex = close + 2;
    }
    if (/(^|[^{])\}\}/.test(text.replace(/\{\{[^}]*\}\}/g, '')))
      problems.push({ line, message: 'stray "}}"' });
  });
  if (problems.length === 0) return { ok: true };
  problems.sort((a, b) => a.line - b.line);
  return { ok: false, problems, message: problems.map((p) => `line ${p.line}: ${p.message}`).join('; ') };
}

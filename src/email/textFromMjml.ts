/**
 * The plain-text part, derived once per template from the same MJML: the text of each mj-text in
 * order, each mj-button as "Label: link", dividers as blank lines. Variables stay as `{{name}}`.
 */
const ELEMENT =
  /<mj-text\b[^>]*>([\s\S]*?)<\/mj-text>|<mj-button\b([^>]*)>([\s\S]*?)<\/mj-button>|<mj-divider\b[^>]*\/?>/g;
const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&nbsp;': ' ',
};

function htmlToText(html: string): string {
  const text = html
    .replace(/\s+/g, ' ')
    .replace(/<a\b[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_m, href: string, label: string) =>
      label.includes(href) ? label : `${label} (${href})`,
    )
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/?(p|div|h[1-6]|ul|ol|table|tr)\b[^>]*>/gi, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (e) => ENTITIES[e] ?? e);
  return text
    .split('\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function textFromMjml(mjml: string): string {
  const blocks: string[] = [];
  for (const m of mjml.matchAll(ELEMENT)) {
    if (m[1] !== undefined) {
      const t = htmlToText(m[1]);
      if (t) blocks.push(t);
    } else if (m[2] !== undefined) {
      const href = /href="([^"]*)"/.exec(m[2])?.[1];
      const label = htmlToText(m[3] ?? '');
      blocks.push(href ? `${label}: ${href}` : label);
    } else blocks.push('—');
  }
  return blocks.join('\n\n') + '\n';
}

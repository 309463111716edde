/**
 * Files a customer or clerk attaches to a dispute: the type is read from the content (magic bytes,
 * never the name or the browser's claim), must be one of a short allowed list, and must agree with
 * the file name's extension; the name is cleaned before it is stored or sent back.
 */
import { filetypeinfo } from 'magic-bytes.js';

export interface AllowedType {
  mime: string;
  label: string;
  extensions: readonly string[];
}

/** What may be attached: documents and pictures a dispute needs, nothing executable. */
export const ALLOWED_ATTACHMENT_TYPES: readonly AllowedType[] = [
  { mime: 'application/pdf', label: 'PDF', extensions: ['pdf'] },
  { mime: 'image/png', label: 'PNG', extensions: ['png'] },
  { mime: 'image/jpeg', label: 'JPEG', extensions: ['jpg', 'jpeg'] },
  { mime: 'image/gif', label: 'GIF', extensions: ['gif'] },
  { mime: 'image/webp', label: 'WebP', extensions: ['webp'] },
  { mime: 'text/plain', label: 'plain text', extensions: ['txt'] },
  { mime: 'text/csv', label: 'CSV', extensions: ['csv'] },
];

export const ATTACHMENT_ACCEPT = ALLOWED_ATTACHMENT_TYPES.flatMap((t) =>
  t.extensions.map((e) => `.${e}`),
).join(',');

const ALLOWED_LIST = 'PDF, PNG, JPEG, GIF, WebP, plain text or CSV';

export type AttachmentCheck =
  { ok: true; filename: string; contentType: string } | { ok: false; message: string };

/** A name safe to store and to send in Content-Disposition: no path, no control characters. */
export function sanitizeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  if (!cleaned) return 'attachment';
  if (cleaned.length <= 100) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const ext = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, 100 - ext.length) + ext;
}

const TEXT_DECODER = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text with no NUL and no control characters but tab, CR, LF and form feed. */
function isPlainText(content: Buffer): boolean {
  let text: string;
  try {
    text = TEXT_DECODER.decode(content);
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
}

function detect(content: Buffer, ext: string): AllowedType | null {
  const guesses = filetypeinfo(content.subarray(0, 4096));
  for (const g of guesses) {
    const hit = ALLOWED_ATTACHMENT_TYPES.find((t) => t.mime === g.mime && !t.mime.startsWith('text/'));
    if (hit) return hit;
  }
  if (isPlainText(content))
    return ALLOWED_ATTACHMENT_TYPES.find((t) => t.mime === (ext === 'csv' ? 'text/csv' : 'text/plain'))!;
  return null;
}

/** Check a file by its content and size; the content type returned is the detected one. */
export function checkAttachment(
  file: { filename: string; content: Buffer },
  maxBytes: number,
): AttachmentCheck {
  const size = file.content.length;
  if (size === 0) return { ok: false, message: 'the file is empty' };
  if (size > maxBytes)
    return { ok: false, message: `the file is larger than the ${formatBytes(maxBytes)} allowed` };
  let filename = sanitizeFilename(file.filename);
  const dot = filename.lastIndexOf('.');
  const ext = dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
  const type = detect(file.content, ext);
  if (!type) return { ok: false, message: `the file must be a ${ALLOWED_LIST} file` };
  if (!ext) filename = `${filename}.${type.extensions[0]}`;
  else if (!type.extensions.includes(ext))
    return {
      ok: false,
      message: `the file's content is ${type.label} but its name ends in .${ext}; rename it to .${type.extensions[0]}`,
    };
  return { ok: true, filename, contentType: type.mime };
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

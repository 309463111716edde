import type { Response } from 'express';
import type { AttachmentFile } from '../../services/disputes';

/**
 * Send a dispute's file as a download, never rendered in the page: the stored (detected) type,
 * `Content-Disposition: attachment` with the cleaned name, no sniffing, no caching, and a CSP that
 * forbids everything should a browser open it anyway.
 */
export function sendAttachment(res: Response, file: AttachmentFile): void {
  res.attachment(file.filename);
  res.setHeader(
    'Content-Type',
    file.contentType.startsWith('text/') ? `${file.contentType}; charset=utf-8` : file.contentType,
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.send(file.content);
}

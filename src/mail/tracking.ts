/**
 * Opt-in open and click tracking for one message's HTML part: links become signed redirects
 * through Duely (only the URLs put in this message can be reached through them) and a 1×1 pixel is
 * added. The text part is never changed; the unsubscribe link and mailto: links are left alone.
 */
import { signClickUrl, signMessageId } from './linkSigning';

export interface TrackingOptions {
  opens: boolean;
  clicks: boolean;
}

export function openPixelUrl(baseUrl: string, secret: string, messageId: string): string {
  return `${baseUrl}/t/o/${signMessageId(secret, 'open', messageId)}.gif`;
}

export function clickUrl(baseUrl: string, secret: string, messageId: string, target: string): string {
  return `${baseUrl}/t/c/${signMessageId(secret, 'click', messageId)}?u=${signClickUrl(secret, messageId, target)}`;
}

const ENTITY: Record<string, string> = {
  '&amp;': '&',
  '&quot;': '"',
  '&#39;': "'",
  '&lt;': '<',
  '&gt;': '>',
};
const unescapeAttr = (v: string) => v.replace(/&(amp|quot|#39|lt|gt);/g, (e) => ENTITY[e] ?? e);
const escapeAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

export function addTracking(
  html: string,
  p: { baseUrl: string; secret: string; messageId: string; skip: readonly string[] },
  opts: TrackingOptions,
): string {
  let out = html;
  if (opts.clicks) {
    out = out.replace(
      /(<a\b[^>]*?\bhref=")(https?:\/\/[^"]+)(")/gi,
      (whole, pre: string, href: string, post: string) => {
        const target = unescapeAttr(href);
        if (p.skip.includes(target)) return whole;
        return `${pre}${escapeAttr(clickUrl(p.baseUrl, p.secret, p.messageId, target))}${post}`;
      },
    );
  }
  if (opts.opens) {
    const pixel = `<img src="${escapeAttr(openPixelUrl(p.baseUrl, p.secret, p.messageId))}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0" />`;
    out = /<\/body>/i.test(out) ? out.replace(/<\/body>/i, `${pixel}</body>`) : out + pixel;
  }
  return out;
}

/**
 * The HTML as the customer got it, minus tracking: for the clerk's outbox, so that reading a
 * message there never counts as the customer opening or clicking it.
 */
export function withoutTracking(html: string, baseUrl: string): string {
  const base = baseUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return html
    .replace(new RegExp(`<img [^>]*src="${base}/t/o/[^"]*"[^>]*>`, 'g'), '')
    .replace(
      new RegExp(`href="${base}/t/c/[A-Za-z0-9_-]+\\?u=([A-Za-z0-9_-]+)\\.[A-Za-z0-9_-]+"`, 'g'),
      (_m, u: string) => {
        const target = Buffer.from(u, 'base64url').toString('utf8');
        return /^https?:\/\//i.test(target) ? `href="${escapeAttr(target)}"` : 'href="#"';
      },
    );
}

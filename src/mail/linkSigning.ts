/**
 * Signed links inside e-mails (unsubscribe, open pixel, click redirect). A token is the payload
 * (ids) followed by a truncated HMAC-SHA256 (128 bits) under a key derived per purpose from the
 * session secret with HKDF, all base64url. Verification is constant-time; a token for one purpose
 * never verifies for another. Rotating SESSION_SECRET invalidates links in e-mails already sent.
 */
import crypto from 'node:crypto';

const MAC_BYTES = 16;
export type LinkPurpose = 'unsubscribe' | 'open' | 'click' | 'click-url';

const keys = new Map<string, Buffer>();
function keyFor(secret: string, purpose: LinkPurpose): Buffer {
  const cacheKey = `${purpose}|${crypto.createHash('sha256').update(secret).digest('hex')}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = Buffer.from(crypto.hkdfSync('sha256', secret, 'duely-links', `duely:${purpose}:v1`, 32));
    if (keys.size > 32) keys.clear();
    keys.set(cacheKey, key);
  }
  return key;
}

function mac(secret: string, purpose: LinkPurpose, payload: Buffer): Buffer {
  return crypto.createHmac('sha256', keyFor(secret, purpose)).update(payload).digest().subarray(0, MAC_BYTES);
}

export function signPayload(secret: string, purpose: LinkPurpose, payload: Buffer): string {
  return Buffer.concat([payload, mac(secret, purpose, payload)]).toString('base64url');
}

/** The payload when the token is intact and of this purpose and length, else null. */
export function verifyPayload(
  secret: string,
  purpose: LinkPurpose,
  token: string,
  payloadBytes: number,
): Buffer | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== payloadBytes + MAC_BYTES || raw.toString('base64url') !== token) return null;
  const payload = raw.subarray(0, payloadBytes);
  const expected = mac(secret, purpose, payload);
  return crypto.timingSafeEqual(expected, raw.subarray(payloadBytes)) ? payload : null;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function uuidBytes(id: string): Buffer {
  if (!UUID_RE.test(id)) throw new Error('not a uuid');
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

export function uuidFromBytes(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A message id signed for one purpose (open pixel, click redirect). */
export const signMessageId = (secret: string, purpose: 'open' | 'click', messageId: string): string =>
  signPayload(secret, purpose, uuidBytes(messageId));

export function verifyMessageId(secret: string, purpose: 'open' | 'click', token: string): string | null {
  const p = verifyPayload(secret, purpose, token, 16);
  return p ? uuidFromBytes(p) : null;
}

/** `?u=` of a click link: the target URL bound to the one message it was put in. */
export function signClickUrl(secret: string, messageId: string, url: string): string {
  const u = Buffer.from(url, 'utf8');
  const m = mac(secret, 'click-url', Buffer.concat([uuidBytes(messageId), u]));
  return `${u.toString('base64url')}.${m.toString('base64url')}`;
}

export function verifyClickUrl(secret: string, messageId: string, signed: string): string | null {
  const [u, m, ...rest] = signed.split('.');
  if (!u || !m || rest.length > 0 || !/^[A-Za-z0-9_-]+$/.test(u) || !/^[A-Za-z0-9_-]+$/.test(m)) return null;
  const url = Buffer.from(u, 'base64url');
  const given = Buffer.from(m, 'base64url');
  if (given.length !== MAC_BYTES) return null;
  const expected = mac(secret, 'click-url', Buffer.concat([uuidBytes(messageId), url]));
  if (!crypto.timingSafeEqual(expected, given)) return null;
  const target = url.toString('utf8');
  return /^https?:\/\//i.test(target) ? target : null;
}

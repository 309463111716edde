import crypto from 'node:crypto';

/** A random token (default 32 bytes = 256 bits), url-safe. */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

/** Tokens are stored as SHA-256 hex; the raw token is shown once. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two strings (false on length mismatch, without early exit on content). */
export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ba.length !== bb.length) {
    crypto.timingSafeEqual(ba, ba);
    return false;
  }
  return crypto.timingSafeEqual(ba, bb);
}

/** base64 HMAC-SHA256, as QuickBooks and Xero sign webhooks. */
export function hmacBase64(secret: string, body: Buffer | string): string {
  return crypto.createHmac('sha256', secret).update(body).digest('base64');
}

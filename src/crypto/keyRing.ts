import crypto from 'node:crypto';

/**
 * AES-256-GCM with a key id, so keys can rotate: new values are sealed with the primary key,
 * values sealed with an earlier key still open as long as that key is in the ring.
 * Sealed format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts).
 */
export class KeyRing {
  private readonly keys = new Map<string, Buffer>();
  readonly primaryKeyId: string;

  constructor(primary: string, previous: string[] = []) {
    this.primaryKeyId = this.add(primary);
    for (const k of previous) if (k.trim()) this.add(k.trim());
  }

  private add(base64: string): string {
    const key = Buffer.from(base64, 'base64');
    if (key.length !== 32) throw new Error('an encryption key must be 32 bytes');
    const keyId = keyIdOf(key);
    this.keys.set(keyId, key);
    return keyId;
  }

  /** Seal a secret. `context` (e.g. "connection:<id>:refresh") binds the value to its row. */
  seal(plaintext: string, context = ''): string {
    const key = this.keys.get(this.primaryKeyId)!;
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      'v1',
      this.primaryKeyId,
      iv.toString('base64url'),
      tag.toString('base64url'),
      ct.toString('base64url'),
    ].join('.');
  }

  open(sealed: string, context = ''): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') throw new SecretError('not a sealed value');
    const [, keyId, iv, tag, ct] = parts as [string, string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key) throw new SecretError(`sealed with unknown key ${keyId}: add it to ENCRYPTION_KEY_PREVIOUS`);
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretError('sealed value failed authentication (wrong key or tampered)');
    }
  }

  /** True when the value was sealed with an older key (re-seal it on the next write). */
  needsRotation(sealed: string): boolean {
    return sealed.split('.')[1] !== this.primaryKeyId;
  }
}

export class SecretError extends Error {
  override readonly name = 'SecretError';
}

export function keyIdOf(key: Buffer): string {
  return crypto.createHash('sha256').update(key).digest('hex').slice(0, 8);
}

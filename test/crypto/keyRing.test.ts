import crypto from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { KeyRing, SecretError } from '../../src/crypto/keyRing';
import { queryRows } from '../../src/db/client';
import { connections } from '../../src/db/schema';
import { openTokens, storeTokens } from '../../src/services/connections/tokenStore';
import { seedFirm } from '../support/tenancy';
import { createTestApp, type TestApp } from '../support/app';

const key = () => crypto.randomBytes(32).toString('base64');

describe('secrets at rest', () => {
  it('round-trips and binds a value to its context', () => {
    const ring = new KeyRing(key());
    const sealed = ring.seal('refresh-token-value', 'connection:1:refresh');
    expect(sealed).not.toContain('refresh-token-value');
    expect(ring.open(sealed, 'connection:1:refresh')).toBe('refresh-token-value');
    expect(() => ring.open(sealed, 'connection:2:refresh')).toThrow(SecretError);
  });

  it('detects tampering', () => {
    const ring = new KeyRing(key());
    const sealed = ring.seal('abc');
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[4]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[4] = ct.toString('base64url');
    expect(() => ring.open(parts.join('.'))).toThrow(/failed authentication/);
  });

  it('still opens rows sealed with a rotated-out key, and seals new ones with the new key', () => {
    const oldKey = key();
    const old = new KeyRing(oldKey);
    const sealedOld = old.seal('token-from-last-year');
    const rotated = new KeyRing(key(), [oldKey]);
    expect(rotated.open(sealedOld)).toBe('token-from-last-year');
    expect(rotated.needsRotation(sealedOld)).toBe(true);
    const sealedNew = rotated.seal('fresh');
    expect(rotated.needsRotation(sealedNew)).toBe(false);
    expect(() => old.open(sealedNew)).toThrow(/unknown key/);
  });

  describe('stored OAuth tokens', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('are not readable in the database, and open with the key ring', async () => {
      const firm = await seedFirm(t.app, 'Sealed Co');
      const tokens = {
        accessToken: 'AT-very-secret-access',
        refreshToken: 'RT-very-secret-refresh',
        accessTokenExpiresAt: new Date(Date.now() + 3600_000),
        refreshTokenExpiresAt: null,
      };
      await storeTokens(t.app.db, t.app.keyRing, firm.connectionId, tokens, 'RT-previous-one');
      const dump = await queryRows<Record<string, unknown>>(
        t.app.db,
        sql`select * from connections where id = ${firm.connectionId}`,
      );
      const text = JSON.stringify(dump);
      expect(text).not.toContain('very-secret');
      expect(text).not.toContain('RT-previous-one');
      const [row] = await t.app.db.select().from(connections).where(eq(connections.id, firm.connectionId));
      const opened = openTokens(t.app.keyRing, row!);
      expect(opened).toMatchObject({
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        previousRefreshToken: 'RT-previous-one',
      });
    });
  });
});

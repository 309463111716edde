import { Writable } from 'node:stream';
import request from 'supertest';
import { createRootLogger } from '../../src/logging/logger';
import { createWebApp } from '../../src/web/app';
import { createTestApp } from '../support/app';
import { seedFirm } from '../support/tenancy';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, stream };
}

describe('logs never contain secrets', () => {
  it('redacts tokens, passwords and secrets in logged objects', () => {
    const { lines, stream } = capture();
    const log = createRootLogger('info', stream);
    log.info(
      {
        tokens: { accessToken: 'AT-123', refreshToken: 'RT-456' },
        user: { password: 'pw-789' },
        token: 'tok-000',
      },
      'refreshed',
    );
    const text = lines.join('');
    for (const secret of ['AT-123', 'RT-456', 'pw-789', 'tok-000']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it('does not log the API token or cookies of a request', async () => {
    const { lines, stream } = capture();
    const t = await createTestApp();
    try {
      const firm = await seedFirm(t.app, 'Kappa Keys');
      // route the app's request logger to our capture
      const web = createWebApp({ ...t.app, logger: createRootLogger('info', stream) });
      await request(web)
        .get('/api/v1/invoices')
        .set('Authorization', `Bearer ${firm.token}`)
        .set('Cookie', 'duely.sid=s%3Asecret-session');
      const text = lines.join('');
      expect(text).toContain('/api/v1/invoices');
      expect(text).not.toContain(firm.token);
      expect(text).not.toContain('secret-session');
    } finally {
      await t.close();
    }
  });
});

import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { contacts, emails, portalTokens } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createRootLogger, setRootLogger } from '../../src/logging/logger';
import { createWebApp } from '../../src/web/app';
import { createTestApp, type TestApp } from '../support/app';
import { csrfFrom } from '../support/http';
import { formBody, portalLink, randomIp, tokenOf } from '../support/portal';
import { seedFirm } from '../support/tenancy';

describe('portal: tokens never reach the logs', () => {
  let t: TestApp;
  afterAll(() => t.close());

  it('logs the portal visit, an expired link and a renewal without any token value', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    t = await createTestApp();
    const logger = createRootLogger('debug', stream); // module loggers follow it too
    try {
      const firm = await seedFirm(t.app, 'Quiet Logs');
      const web = createWebApp({ ...t.app, logger });
      const ip = randomIp();
      const live = await portalLink(t.app, firm.id, firm.customerId);
      const agent = request.agent(web);
      expect((await agent.get(`/p/${live.token}`).set('X-Forwarded-For', ip)).status).toBe(303);
      for (const path of [
        '/portal',
        `/portal/invoices/${firm.invoiceId}`,
        '/portal/statement',
        '/portal/nope',
      ])
        await agent.get(path).set('X-Forwarded-For', ip);

      const expired = await portalLink(t.app, firm.id, firm.customerId);
      await t.app.db
        .update(portalTokens)
        .set({ revokedAt: new Date() })
        .where(eq(portalTokens.id, expired.tokenId));
      const visitor = request.agent(web);
      const page = await visitor.get(`/p/${expired.token}`).set('X-Forwarded-For', ip);
      expect(page.status).toBe(401);
      await new OrgScope(t.app.db, firm.id).insert(contacts, {
        customerId: firm.customerId,
        email: 'ap@quiet.example',
        role: 'billing',
      });
      const renewed = await visitor
        .post('/portal/renew')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send(formBody({ email: 'ap@quiet.example', _csrf: csrfFrom(page.text) }));
      expect(renewed.status).toBe(200);
      const [mail] = await t.app.db.select().from(emails).where(eq(emails.toAddress, 'ap@quiet.example'));
      const fresh = tokenOf(/\/p\/[A-Za-z0-9_-]+/.exec(mail!.text)![0]);
      expect((await request(web).get(`/p/${fresh}`).set('X-Forwarded-For', ip)).status).toBe(303);

      const text = lines.join('');
      expect(text).toContain('/p/[redacted]');
      expect(text).toContain('/portal/statement');
      expect(text).toContain('portal link renewal handled');
      for (const secret of [live.token, expired.token, fresh]) expect(text).not.toContain(secret);
      expect(text).not.toContain('If you did not ask for this link'); // nor the e-mail body
    } finally {
      setRootLogger(t.app.logger);
    }
  });
});

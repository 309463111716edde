import { and, eq } from 'drizzle-orm';
import request from 'supertest';
import { sendEmailJob } from '../../jobs/definitions/sendEmail';
import type { AppContext } from '../../src/app/context';
import { activities, contacts, customers, emails, messages, organizations, tasks } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import type { JobDefinition } from '../../src/queue/types';
import { revokePortalLinks } from '../../src/services/portal/tokens';
import { runForFirm } from '../../src/services/reminders/run';
import { createTestApp, type TestApp } from '../support/app';
import { makeQueue } from '../support/queues';
import { seedFirm, type Firm } from '../support/tenancy';
import { SmtpSink } from './smtpSink';

/** seedFirm's invoice INV-1 (USD 1,200.00) is due 2026-10-31: the overdue-3 e-mail goes out on 11-03. */
describe('reminder e-mails through a real SMTP server', () => {
  const sink = new SmtpSink();
  let t: TestApp;
  beforeAll(async () => {
    const url = await sink.start();
    t = await createTestApp({ env: { SMTP_URL: url }, now: () => new Date('2026-11-03T18:00:00Z') });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  /** A live firm whose customer has one billing contact at `address`. */
  async function firmWithContact(name: string, address: string, customerName?: string): Promise<Firm> {
    const f = await seedFirm(t.app, name);
    await t.app.db
      .update(organizations)
      .set({
        automation: 'live',
        branding: { replyTo: `billing@${f.slug}.example`, color: '#0a7d4f', signature: 'Pat, Accounts' },
      })
      .where(eq(organizations.id, f.id));
    const scope = new OrgScope(t.app.db, f.id);
    if (customerName) await scope.update(customers, { name: customerName }, eq(customers.id, f.customerId));
    await scope.insert(contacts, {
      customerId: f.customerId,
      source: 'duely',
      name: 'Dana Payer',
      email: address,
      isPrimary: true,
    });
    return f;
  }

  /** The same app with its own queue: the send job retries after a few ms instead of 30 s. */
  function withFastRetries(): AppContext {
    const app = { ...t.app } as AppContext;
    const fast = { ...sendEmailJob, backoffMs: 5 } as JobDefinition<never, AppContext>;
    app.queue = makeQueue('in-process', [fast], app);
    return app;
  }

  const header = (raw: string, name: string) =>
    new RegExp(`^${name}:((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'im')
      .exec(raw)?.[1]
      ?.replace(/\r?\n[ \t]+/g, ' ')
      .trim();

  it('delivers the reminder with both parts, the firm reply-to, one-click unsubscribe and a portal link that opens the portal', async () => {
    const address = 'dana@smtp-ok.example';
    const f = await firmWithContact('Smtp Ok', address, 'Acme <script>alert(1)</script> & Sons');
    const run = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(run.results.map((r) => r.status)).toEqual(['queued']);
    await t.app.queue.drain();

    const got = sink.to(address);
    expect(got).toHaveLength(1);
    const { mail, raw } = got[0]!;
    expect(mail.replyTo?.value[0]?.address).toBe(`billing@${f.slug}.example`);
    expect(mail.from?.value[0]?.name).toBe('Smtp Ok');
    expect(header(raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(header(raw, 'List-Unsubscribe')).toMatch(/^<http:\/\/localhost:3000\/u\/[A-Za-z0-9_-]{40,}>$/);
    expect(mail.messageId).toMatch(/@duely>?$/);

    // both parts, personalised
    expect(mail.text).toContain('Hello Dana Payer,');
    expect(mail.text).toContain('INV-1');
    expect(mail.html).toContain('Hello Dana Payer,');
    expect(mail.html).toContain('USD 1,200.00');
    expect(mail.html).toContain('#0a7d4f');
    // the customer's name is escaped in the HTML part, never markup
    expect(mail.html).toContain('Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons');
    expect(mail.html).not.toContain('<script>alert(1)');

    // the portal link is real: it opens the customer's portal
    const link = /http:\/\/localhost:3000\/p\/[A-Za-z0-9_-]+/.exec(mail.text ?? '')![0];
    expect(mail.html).toContain(link);
    const opened = await request(t.web).get(link.replace('http://localhost:3000', ''));
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe('/portal');

    // and the API shows the message as sent, with that link
    const api = await request(t.web).get('/api/v1/messages').set('Authorization', `Bearer ${f.token}`);
    expect(api.body.data).toEqual([
      expect.objectContaining({ status: 'sent', to: address, portalUrl: link, sentAt: expect.any(String) }),
    ]);

    // a bounce reported later by the firm's ESP: bounced, the address marked bad, a task
    const msgId = api.body.data[0].id as string;
    const bounce = await request(t.web)
      .post(`/api/v1/messages/${msgId}/bounce`)
      .set('Authorization', `Bearer ${f.token}`)
      .send({ reason: '550 5.1.1 mailbox closed (reported by the ESP)' });
    expect(bounce.status).toBe(200);
    expect(bounce.body).toMatchObject({ status: 'bounced', changed: true });
    const [contact] = await t.app.db
      .select()
      .from(contacts)
      .where(and(eq(contacts.organizationId, f.id), eq(contacts.email, address)));
    expect(contact!.emailStatus).toBe('bounced');
    expect(await t.app.db.select().from(tasks).where(eq(tasks.organizationId, f.id))).toEqual([
      expect.objectContaining({ title: `E-mail to ${address} bounced — find a working address` }),
    ]);

    // once the customer's links are revoked the API no longer reveals the link
    await revokePortalLinks(t.app, new OrgScope(t.app.db, f.id), f.customerId, { type: 'system', id: null });
    const after = await request(t.web).get('/api/v1/messages').set('Authorization', `Bearer ${f.token}`);
    expect(after.body.data).toEqual([expect.objectContaining({ status: 'bounced', portalUrl: null })]);
  });

  it('retries a 451 and sends once when the server takes it', async () => {
    const address = 'later@smtp-451.example';
    sink.refuseRecipient(address, 451, '4.3.0 Mailbox busy, try again later', 2);
    const f = await firmWithContact('Smtp Busy', address);
    const app = withFastRetries();
    await app.queue.startWorkers();
    try {
      await runForFirm(app, f.slug, '2026-11-03');
      await app.queue.drain();
    } finally {
      await app.queue.close();
    }
    expect(sink.to(address)).toHaveLength(1);
    const [email] = await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id));
    expect(email).toMatchObject({ status: 'sent', attempts: 3, error: null });
    const [msg] = await t.app.db.select().from(messages).where(eq(messages.organizationId, f.id));
    expect(msg).toMatchObject({ status: 'sent', error: null });
  });

  it('gives up after the last attempt on a server that keeps answering 4xx, with the reason', async () => {
    const address = 'never@smtp-4xx.example';
    sink.refuseRecipient(address, 452, '4.2.2 Mailbox full');
    const f = await firmWithContact('Smtp Full', address);
    const app = withFastRetries();
    await app.queue.startWorkers();
    try {
      await runForFirm(app, f.slug, '2026-11-03');
      await app.queue.drain();
    } finally {
      await app.queue.close();
    }
    expect(sink.to(address)).toHaveLength(0);
    const [email] = await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id));
    expect(email!.status).toBe('failed');
    expect(email!.attempts).toBe(6);
    expect(email!.error).toMatch(/^gave up after 6 attempts: .*452.*Mailbox full/);
    const [msg] = await t.app.db.select().from(messages).where(eq(messages.organizationId, f.id));
    expect(msg).toMatchObject({ status: 'failed', error: email!.error });
  });

  it('a 550 for the recipient is a hard bounce: message bounced, address bad, a task to find a working one', async () => {
    const address = 'gone@smtp-550.example';
    sink.refuseRecipient(address, 550, '5.1.1 No such user here');
    const f = await firmWithContact('Smtp Gone', address);
    await runForFirm(t.app, f.slug, '2026-11-03');
    await t.app.queue.drain();

    expect(sink.to(address)).toHaveLength(0);
    const [email] = await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id));
    expect(email).toMatchObject({ status: 'bounced', error: expect.stringContaining('No such user') });
    const [msg] = await t.app.db.select().from(messages).where(eq(messages.organizationId, f.id));
    expect(msg).toMatchObject({ status: 'bounced', bouncedAt: expect.any(Date) });
    const [contact] = await t.app.db
      .select()
      .from(contacts)
      .where(and(eq(contacts.organizationId, f.id), eq(contacts.email, address)));
    expect(contact!.emailStatus).toBe('bounced');
    const acts = await t.app.db.select().from(activities).where(eq(activities.organizationId, f.id));
    expect(acts.map((a) => a.kind)).toEqual(['message.bounced']);
    const open = await t.app.db.select().from(tasks).where(eq(tasks.organizationId, f.id));
    expect(open).toEqual([
      expect.objectContaining({
        kind: 'call',
        title: `E-mail to ${address} bounced — find a working address`,
        idempotencyKey: `bounce:${contact!.id}:${msg!.id}`,
        dueDate: '2026-11-03',
      }),
    ]);

    // reported again later (an ESP's webhook): nothing doubles
    const again = await request(t.web)
      .post(`/api/v1/messages/${msg!.id}/bounce`)
      .set('Authorization', `Bearer ${f.token}`)
      .send({ reason: 'bounced (ESP report)' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'bounced', changed: false });
    expect(await t.app.db.select().from(tasks).where(eq(tasks.organizationId, f.id))).toHaveLength(1);

    const api = await request(t.web).get('/api/v1/messages').set('Authorization', `Bearer ${f.token}`);
    expect(api.body.data).toEqual([expect.objectContaining({ status: 'bounced', sentAt: null })]);
  });

  it('a 554 at the end of DATA fails the message with the server’s reason and is not retried', async () => {
    const address = 'spam@smtp-554.example';
    sink.refuseData(address, 554, '5.7.1 Message rejected as spam');
    const f = await firmWithContact('Smtp Spam', address);
    await runForFirm(t.app, f.slug, '2026-11-03');
    await t.app.queue.drain();

    const [email] = await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id));
    expect(email).toMatchObject({ status: 'failed', attempts: 1 });
    expect(email!.error).toMatch(/554.*Message rejected as spam/);
    const [msg] = await t.app.db.select().from(messages).where(eq(messages.organizationId, f.id));
    expect(msg).toMatchObject({ status: 'failed', error: email!.error });
    const [contact] = await t.app.db
      .select()
      .from(contacts)
      .where(and(eq(contacts.organizationId, f.id), eq(contacts.email, address)));
    expect(contact!.emailStatus).toBe('ok'); // the address is fine, the message was refused
    const api = await request(t.web).get('/api/v1/messages').set('Authorization', `Bearer ${f.token}`);
    expect(api.body.data).toEqual([expect.objectContaining({ status: 'failed', error: email!.error })]);
  });

  it('an invoice whose customer has no e-mail address sends nothing and chases by phone', async () => {
    const f = await seedFirm(t.app, 'Smtp No Address');
    await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, f.id));
    const scope = new OrgScope(t.app.db, f.id);
    await scope.update(customers, { email: null, phone: '+1 555 0101' }, eq(customers.id, f.customerId));
    const before = sink.received.length;
    const run = await runForFirm(t.app, f.slug, '2026-11-03');
    expect(run.results.map((r) => r.status)).toEqual(['task_created']);
    await t.app.queue.drain();
    expect(sink.received.length).toBe(before);
    expect(await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id))).toEqual([]);
  });
});

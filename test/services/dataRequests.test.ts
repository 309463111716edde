import { and, eq, sql } from 'drizzle-orm';
import type { CanonicalCustomer } from '../../connectors/types';
import {
  activities,
  attachments,
  auditLog,
  contacts,
  customers,
  disputeMessages,
  disputes,
  emails,
  invoices,
  messages,
  payments,
  portalTokens,
  tasks,
  writeBacks,
} from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import type { Actor } from '../../src/services/audit';
import { eraseContact } from '../../src/services/dataRequests/eraseContact';
import { exportContact } from '../../src/services/dataRequests/exportContact';
import { issuePortalLink } from '../../src/services/portal/tokens';
import { ingestBatch } from '../../src/services/sync/ingest';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

const NOW = new Date('2026-11-20T12:00:00Z');
const JANE = 'jane@acme.example';
const OTHER = 'omar@acme.example';
const ADMIN: Actor = { type: 'user', id: null };

describe('data requests: export and erase a contact', () => {
  let t: TestApp;
  let f: Firm;
  let scope: OrgScope;
  let jane: string;
  let omar: string;
  let janeDispute: string;
  let omarDispute: string;

  beforeAll(async () => {
    t = await createTestApp({ now: () => NOW });
    f = await seedFirm(t.app, 'India Imports');
    scope = new OrgScope(t.app.db, f.id);
    const c = f.customerId;
    // the customer's own address is Jane's (QuickBooks keeps one primary address)
    await scope.update(customers, { email: 'Jane@Acme.example', phone: '+1 555 0100' }, eq(customers.id, c));
    const [k1] = await scope
      .insert(contacts, {
        customerId: c,
        externalKey: `billing:${JANE}`,
        name: 'Jane Payer',
        email: JANE,
        phone: '+1 555 0100',
        isPrimary: true,
        preferredChannel: 'email',
        contactHours: { from: 9, to: 17 },
        timezone: 'America/Chicago',
      })
      .returning({ id: contacts.id });
    const [k2] = await scope
      .insert(contacts, { customerId: c, externalKey: `billing:${OTHER}`, name: 'Omar Other', email: OTHER })
      .returning({ id: contacts.id });
    jane = k1!.id;
    omar = k2!.id;

    const mail = (to: string, key: string, status: 'sent' | 'queued' = 'sent') => ({
      organizationId: f.id,
      kind: 'reminder',
      idempotencyKey: `${f.id}:${key}`,
      fromAddress: 'ar@india.example',
      toAddress: to,
      subject: 'INV-1 is overdue',
      text: `Hello ${to === JANE ? 'Jane Payer' : 'Omar Other'}, INV-1 is overdue.`,
      html: '<p>INV-1 is overdue.</p>',
      status,
    });
    const [e1] = await t.app.db.insert(emails).values(mail(JANE, 'e1')).returning({ id: emails.id });
    await t.app.db.insert(emails).values(mail(JANE, 'e1q', 'queued'));
    const [e2] = await t.app.db.insert(emails).values(mail(OTHER, 'e2')).returning({ id: emails.id });
    const msg = (to: string, emailId: string, k: string, status: 'sent' | 'queued' = 'sent') => ({
      customerId: c,
      invoiceIds: [f.invoiceId],
      sequenceKey: 'standard',
      sequenceVersion: 1,
      stepKey: k,
      channel: 'email' as const,
      status,
      toAddress: to,
      subject: 'INV-1 is overdue',
      emailId,
      idempotencyKey: k,
      sendAt: NOW,
      live: true,
    });
    await scope.insert(messages, [msg(JANE, e1!.id, 'm1'), msg(OTHER, e2!.id, 'm2')]);

    await issuePortalLink(t.app, scope, { customerId: c, contactId: jane, origin: 'message' });
    await issuePortalLink(t.app, scope, { customerId: c, contactId: omar, origin: 'message' });

    await scope.insert(activities, [
      {
        customerId: c,
        kind: 'contact.unsubscribed',
        actorType: 'customer',
        body: `${JANE} unsubscribed`,
        data: { contactId: jane, email: JANE },
      },
      {
        customerId: c,
        kind: 'message.bounced',
        actorType: 'system',
        body: `E-mail to ${JANE} bounced: full`,
        data: { contactId: jane },
      },
      {
        customerId: c,
        kind: 'contact.unsubscribed',
        actorType: 'customer',
        body: `${OTHER} unsubscribed`,
        data: { contactId: omar },
      },
    ]);
    await scope.insert(tasks, {
      customerId: c,
      kind: 'call',
      title: `E-mail to ${JANE} bounced — find a working address`,
      talkingPoints: [`The reminder to ${JANE} bounced`],
      dueDate: '2026-11-20',
      idempotencyKey: 'bounce-task',
    });
    await scope.insert(writeBacks, {
      connectionId: f.connectionId,
      kind: 'note',
      idempotencyKey: 'wb-jane',
      invoiceId: f.invoiceId,
      payload: { invoiceExternalId: '100', text: `Duely: reminder sent to ${JANE}.` },
    });

    const dispute = (contactId: string, reference: string, reply: string) => ({
      customerId: c,
      contactId,
      reference,
      kind: 'dispute' as const,
      category: 'pricing',
      source: 'portal' as const,
      replyEmail: reply,
      firstResponseDueAt: NOW,
    });
    const [d1] = await scope.insert(disputes, dispute(jane, 'D-1', JANE)).returning({ id: disputes.id });
    const [d2] = await scope.insert(disputes, dispute(omar, 'D-2', OTHER)).returning({ id: disputes.id });
    janeDispute = d1!.id;
    omarDispute = d2!.id;
    const [dm] = await scope
      .insert(disputeMessages, {
        disputeId: janeDispute,
        author: 'customer',
        body: 'I am Jane: the price is wrong',
      })
      .returning({ id: disputeMessages.id });
    await scope.insert(attachments, {
      disputeId: janeDispute,
      messageId: dm!.id,
      filename: 'quote-jane.pdf',
      contentType: 'application/pdf',
      size: 4,
      sha256: 'ab'.repeat(32),
      content: Buffer.from('%PDF'),
    });
    await scope.insert(disputeMessages, [
      { disputeId: janeDispute, author: 'clerk', body: 'We are checking the quote' },
      { disputeId: omarDispute, author: 'customer', body: 'Omar: wrong quantity' },
    ]);
    await scope.insert(payments, {
      connectionId: f.connectionId,
      externalId: 'p1',
      customerId: c,
      date: '2026-11-15',
      amount: '200.00',
      currency: 'USD',
    });
  });
  afterAll(() => t.close());

  it('exports everything about the contact and nothing of another contact, audited', async () => {
    const doc = await exportContact(scope, f.customerId, jane, ADMIN, NOW);
    expect(doc.contact).toMatchObject({ id: jane, name: 'Jane Payer', email: JANE, phone: '+1 555 0100' });
    expect(doc.preferences).toMatchObject({
      preferredChannel: 'email',
      contactHours: { from: 9, to: 17 },
      timezone: 'America/Chicago',
    });
    expect(doc.messages.map((m) => m.toAddress)).toEqual([JANE]);
    expect(doc.emails.map((m) => m.toAddress)).toEqual([JANE, JANE]);
    expect(doc.emails[0]!.text).toContain('Hello Jane Payer');
    expect(doc.portalLinks).toHaveLength(1);
    expect(Object.keys(doc.portalLinks[0]!).sort()).toEqual([
      'createdAt',
      'expiresAt',
      'id',
      'lastUsedAt',
      'origin',
      'revokedAt',
    ]);
    expect(doc.activities.map((a) => a.kind).sort()).toEqual(['contact.unsubscribed', 'message.bounced']);
    expect(doc.disputes.map((d) => d.reference)).toEqual(['D-1']);
    expect(doc.disputeMessages).toEqual([
      expect.objectContaining({
        disputeReference: 'D-1',
        body: 'I am Jane: the price is wrong',
        attachments: [
          { filename: 'quote-jane.pdf', contentType: 'application/pdf', size: 4, sha256: 'ab'.repeat(32) },
        ],
      }),
    ]);
    const text = JSON.stringify(doc);
    expect(text).not.toContain(OTHER);
    expect(text).not.toContain('Omar');
    const tokens = await scope.select(portalTokens);
    for (const tk of tokens) {
      expect(text).not.toContain(tk.tokenHash);
      expect(text).not.toContain(tk.tokenCiphertext!);
    }
    const audit = await t.app.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.organizationId, f.id), eq(auditLog.action, 'data_request.exported')));
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.data)).not.toContain(JANE);
  });

  it('erases the personal data everywhere and keeps the accounting facts, once', async () => {
    const before = {
      invoices: await scope.select(invoices),
      payments: await scope.select(payments),
    };
    const out = await eraseContact(t.app, scope, f.customerId, jane, ADMIN);
    expect(out.alreadyErased).toBe(false);

    const [k] = await scope.select(contacts, eq(contacts.id, jane));
    expect(k).toMatchObject({
      name: null,
      email: null,
      phone: null,
      preferredChannel: null,
      contactHours: null,
      timezone: null,
    });
    expect(k!.erasedAt).not.toBeNull();
    expect(k!.externalKey).toMatch(/^erased:[0-9a-f]{64}$/);
    const [o] = await scope.select(contacts, eq(contacts.id, omar));
    expect(o).toMatchObject({ name: 'Omar Other', email: OTHER, erasedAt: null });

    const mails = await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id));
    const erasedMails = mails.filter((m) => m.toAddress === '[erased]');
    expect(erasedMails).toHaveLength(2);
    for (const m of erasedMails) expect(m).toMatchObject({ text: 'erased on request', html: null });
    expect(erasedMails.find((m) => m.idempotencyKey.endsWith('e1q'))).toMatchObject({ status: 'failed' });
    expect(mails.find((m) => m.toAddress === OTHER)!.text).toContain('Omar Other');

    const msgs = await scope.select(messages);
    expect(msgs.map((m) => m.toAddress).sort()).toEqual([OTHER, null].sort());

    const [janeMsg, clerkMsg] = await scope.db
      .select()
      .from(disputeMessages)
      .where(eq(disputeMessages.disputeId, janeDispute))
      .orderBy(disputeMessages.createdAt, disputeMessages.author);
    expect([janeMsg!.body, clerkMsg!.body].sort()).toEqual([
      'We are checking the quote',
      'erased on request',
    ]);
    expect(await scope.select(attachments)).toEqual([]);
    const [omarMsg] = await scope.db
      .select()
      .from(disputeMessages)
      .where(eq(disputeMessages.disputeId, omarDispute));
    expect(omarMsg!.body).toBe('Omar: wrong quantity');
    const [d] = await scope.select(disputes, eq(disputes.id, janeDispute));
    expect(d!.replyEmail).toBeNull();

    const tokens = await scope.select(portalTokens);
    const janeToken = tokens.find((tk) => tk.contactId === jane)!;
    expect(janeToken.revokedAt).not.toBeNull();
    expect(janeToken.tokenCiphertext).toBeNull();
    expect(tokens.find((tk) => tk.contactId === omar)!.revokedAt).toBeNull();

    const [c] = await scope.select(customers, eq(customers.id, f.customerId));
    expect(c).toMatchObject({ email: null, phone: null });

    // the address and the name are nowhere in the firm's data any more
    for (const table of [
      'contacts',
      'emails',
      'messages',
      'dispute_messages',
      'disputes',
      'activities',
      'tasks',
      'write_backs',
      'customers',
      'portal_tokens',
      'audit_log',
      'promises',
    ]) {
      const rows = await t.app.db.execute(
        sql`select row_to_json(x)::text as j from ${sql.raw(table)} x where x.organization_id = ${f.id}`,
      );
      const dump = ((rows as unknown as { rows: { j: string }[] }).rows ?? []).map((r) => r.j).join('\n');
      expect({ table, jane: dump.toLowerCase().includes(JANE), name: dump.includes('Jane Payer') }).toEqual({
        table,
        jane: false,
        name: false,
      });
    }
    expect(await scope.select(invoices)).toEqual(before.invoices);
    expect(await scope.select(payments)).toEqual(before.payments);
    const audit = await t.app.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.organizationId, f.id), eq(auditLog.action, 'data_request.erased')));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ subjectType: 'contact', subjectId: jane });

    const again = await eraseContact(t.app, scope, f.customerId, jane, ADMIN);
    expect(again).toEqual({ contactId: jane, alreadyErased: true, counts: {} });
    const audits = await t.app.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.organizationId, f.id), eq(auditLog.action, 'data_request.erased')));
    expect(audits).toHaveLength(1);
  });

  it('keeps the contact erased when the books send it again', async () => {
    const fromBooks: CanonicalCustomer = {
      externalId: '1',
      parentExternalId: null,
      name: 'India Imports Customer',
      email: JANE.toUpperCase(),
      phone: '+1 (555) 0100',
      currency: 'USD',
      balance: '1200.00',
      terms: null,
      address: null,
      active: true,
      deleted: false,
      contacts: [
        {
          externalId: null,
          name: 'Jane Payer',
          email: JANE,
          phone: '+1 555 0100',
          role: 'billing',
          isPrimary: true,
        },
        {
          externalId: null,
          name: 'Omar Renamed',
          email: OTHER,
          phone: null,
          role: 'billing',
          isPrimary: false,
        },
      ],
      updatedAt: NOW.toISOString(),
    };
    await ingestBatch(
      { db: t.app.db, organizationId: f.id, connectionId: f.connectionId },
      { entity: 'customers', customers: [fromBooks], errors: [], cursor: null },
    );
    const list = await scope.select(contacts, eq(contacts.customerId, f.customerId));
    expect(list).toHaveLength(2);
    expect(list.find((k) => k.id === jane)).toMatchObject({ name: null, email: null, phone: null });
    expect(list.find((k) => k.id === omar)).toMatchObject({ name: 'Omar Renamed', email: OTHER });
    const [c] = await scope.select(customers, eq(customers.id, f.customerId));
    expect(c).toMatchObject({ email: null, phone: null, name: 'India Imports Customer' });
    // a new address from the books is taken as usual
    await ingestBatch(
      { db: t.app.db, organizationId: f.id, connectionId: f.connectionId },
      {
        entity: 'customers',
        customers: [{ ...fromBooks, email: 'ap@india.example', phone: null }],
        errors: [],
        cursor: null,
      },
    );
    const [c2] = await scope.select(customers, eq(customers.id, f.customerId));
    expect(c2!.email).toBe('ap@india.example');
  });
});

import { eq } from 'drizzle-orm';
import { attachments, customers, disputes, organizations, users } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { ConflictError, NotFoundError, ValidationError } from '../../src/services/errors';
import {
  assignDispute,
  getAttachment,
  getDisputeThread,
  listDisputes,
  openDispute,
  replyToDispute,
  setDisputeStatus,
} from '../../src/services/disputes';
import { FILES } from '../support/files';
import { createTestApp, type TestApp } from '../support/app';
import {
  addContact,
  addInvoice,
  movableClock,
  setSettings,
  sideEffects,
  skipReasons,
} from '../support/cases';
import { seedFirm, type Firm } from '../support/tenancy';

const CUSTOMER = { actor: { type: 'customer' as const, id: null }, source: 'portal' as const };

describe('disputes and requests', () => {
  // Tuesday 2026-11-17 10:00 in New York
  const clock = movableClock('2026-11-17T15:00:00Z');
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ now: clock.now });
  });
  afterAll(() => t.close());
  beforeEach(() => clock.set('2026-11-17T15:00:00Z'));

  async function firm(name: string) {
    const f = await seedFirm(t.app, name);
    await t.app.db
      .update(organizations)
      .set({ timezone: 'America/New_York' })
      .where(eq(organizations.id, f.id));
    const scope = new OrgScope(t.app.db, f.id);
    const userId = async (email: string) =>
      (await t.app.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
    const clerk = { type: 'user' as const, id: await userId(f.users.clerk) };
    return { ...f, scope, clerk, userId };
  }
  const dispute = (f: Firm, over: Record<string, unknown> = {}) => ({
    customerId: f.customerId,
    kind: 'dispute' as const,
    category: 'pricing',
    invoiceIds: [f.invoiceId],
    message: 'The hourly rate on this invoice is not the one we agreed.',
    ...over,
  });

  it('a plain request (copy of an invoice) does not pause reminders; a dispute does', async () => {
    const f = await firm('Request Not Pause');
    await openDispute(
      t.app,
      f.scope,
      dispute(f, { kind: 'request', category: 'invoice_copy', message: 'Please send me a copy.' }),
      CUSTOMER,
    );
    expect(await skipReasons(t.app, f, f.invoiceId, '2026-11-18')).not.toContain('disputed');
    await openDispute(t.app, f.scope, dispute(f), CUSTOMER);
    expect(await skipReasons(t.app, f, f.invoiceId, '2026-11-18')).toContain('disputed');
  });

  it('opens a case: reference D-1001, then D-1002; deadline in business hours; clerks told, customer acknowledged, notes', async () => {
    const f = await firm('Open Cases');
    await addContact(t.app, f, 'dana@customer.example');
    const d = await openDispute(
      t.app,
      f.scope,
      dispute(f, {
        attachment: { filename: 'quote.pdf', contentType: 'application/pdf', content: FILES.pdf },
      }),
      CUSTOMER,
    );
    expect(d).toMatchObject({
      reference: 'D-1001',
      status: 'open',
      kind: 'dispute',
      replyEmail: 'dana@customer.example',
    });
    // 8 business hours from Tuesday 10:00 → Wednesday 10:00 New York time
    expect(d.firstResponseDueAt.toISOString()).toBe('2026-11-18T15:00:00.000Z');
    const r = await openDispute(
      t.app,
      f.scope,
      dispute(f, { kind: 'request', category: 'invoice_copy', invoiceIds: [] }),
      CUSTOMER,
    );
    expect(r.reference).toBe('D-1002');

    const fx = await sideEffects(t.app, f);
    const toClerks = fx.emails.filter((e) => e.kind === 'dispute.opened.clerk');
    // owner, admin and clerk (not the viewer), for each of the two cases
    expect(toClerks.map((e) => e.toAddress).sort()).toEqual(
      [f.users.owner, f.users.admin, f.users.clerk, f.users.owner, f.users.admin, f.users.clerk].sort(),
    );
    expect(toClerks[0]!.text).toContain('The hourly rate on this invoice');
    const acks = fx.emails.filter((e) => e.kind === 'dispute.acknowledgement');
    expect(acks.map((e) => e.subject).sort()).toEqual([
      'We received your dispute D-1001',
      'We received your request D-1002',
    ]);
    expect(acks.find((e) => e.subject.endsWith('D-1001'))!.text).toMatch(
      /We will answer by Wednesday 18 November 2026, 10:00/,
    );
    expect(fx.notes.map((n) => (n.payload as { text: string }).text)).toEqual([
      'Duely: dispute D-1001 opened (price is wrong, portal); reminders paused.',
    ]);
    const [file] = await f.scope.select(attachments);
    expect(file).toMatchObject({
      filename: 'quote.pdf',
      contentType: 'application/pdf',
      size: FILES.pdf.length,
    });
    expect(await skipReasons(t.app, f, f.invoiceId, '2026-11-18')).toContain('disputed');
  });

  it('refuses bad input with the field and a clear message, and writes nothing', async () => {
    const f = await firm('Bad Cases');
    const other = await seedFirm(t.app, 'Bad Cases Other');
    await setSettings(t.app, f, { disputes: { maxAttachmentBytes: 2048 } });
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ invoiceIds: [] }, 'invoiceIds', /choose the invoices/],
      [{ invoiceIds: [other.invoiceId] }, 'invoiceIds', /not found/],
      [{ category: 'invoice_copy' }, 'category', /must be one of pricing/],
      [{ kind: 'complaint' }, 'kind', /dispute or request/],
      [{ message: '   ' }, 'message', /write a message/],
      [{ message: 'x'.repeat(5001) }, 'message', /at most 5000/],
      [{ replyEmail: 'not an address' }, 'replyEmail', /e-mail address/],
      [
        { attachment: { filename: 'big.txt', contentType: 'text/plain', content: Buffer.alloc(3000, 'a') } },
        'attachment',
        /larger than the 2 KB allowed/,
      ],
      [
        { attachment: { filename: 'run.pdf', contentType: 'application/pdf', content: FILES.exe } },
        'attachment',
        /must be a PDF, PNG/,
      ],
    ];
    for (const [over, field, message] of cases) {
      const err = await openDispute(t.app, f.scope, dispute(f, over) as never, CUSTOMER).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ValidationError);
      expect({ field: (err as ValidationError).field, message: (err as Error).message }).toEqual({
        field,
        message: expect.stringMatching(message),
      });
    }
    expect(await f.scope.select(disputes)).toEqual([]);
    const fx = await sideEffects(t.app, f);
    expect([fx.emails, fx.notes, fx.audit]).toEqual([[], [], []]);
  });

  it('a clerk reply reaches the customer with a portal link and is the first response; waiting → the customer answers → open', async () => {
    const f = await firm('Replies');
    const d = await openDispute(t.app, f.scope, dispute(f), CUSTOMER);
    clock.set('2026-11-17T18:00:00Z');
    const r1 = await replyToDispute(
      t.app,
      f.scope,
      d.id,
      { body: 'Could you send the signed quote?', waitOnCustomer: true },
      { actor: f.clerk, source: 'clerk' },
    );
    expect(r1.status).toBe('waiting_on_customer');
    expect(r1.emailId).toEqual(expect.any(String));
    clock.set('2026-11-17T19:00:00Z');
    await replyToDispute(
      t.app,
      f.scope,
      d.id,
      { body: 'And the PO number.' },
      { actor: f.clerk, source: 'clerk' },
    );
    let row = (await f.scope.findById(disputes, d.id))!;
    expect(row.firstResponseAt!.toISOString()).toBe('2026-11-17T18:00:00.000Z');

    const fx = await sideEffects(t.app, f);
    const reply = fx.emails.find((e) => e.id === r1.emailId)!;
    expect(reply).toMatchObject({ toAddress: `ap@${f.slug}.example`, subject: 'Re: your dispute D-1001' });
    expect(reply.text).toMatch(/Could you send the signed quote\?/);
    expect(reply.text).toMatch(/\/p\/[A-Za-z0-9_-]{20,}/);

    const r2 = await replyToDispute(
      t.app,
      f.scope,
      d.id,
      { body: 'Attached.', attachment: { filename: 'po.png', contentType: 'image/png', content: FILES.png } },
      { ...CUSTOMER, customerId: f.customerId },
    );
    expect(r2.status).toBe('open');
    row = (await f.scope.findById(disputes, d.id))!;
    expect(row.status).toBe('open');
    const after = await sideEffects(t.app, f);
    expect(after.emails.filter((e) => e.kind === 'dispute.customer_reply.clerk')).toHaveLength(3);
    expect(after.notes.map((n) => (n.payload as { text: string }).text)).toEqual(
      expect.arrayContaining([
        'Duely: dispute D-1001: the firm replied.',
        'Duely: dispute D-1001: the customer replied.',
      ]),
    );
    const thread = await getDisputeThread(f.scope, d.id, { customerId: f.customerId });
    expect(thread.messages.map((m) => m.author)).toEqual(['customer', 'clerk', 'clerk', 'customer']);
    expect(thread.messages[3]!.attachments).toEqual([
      { id: expect.any(String), filename: 'po.png', contentType: 'image/png', size: FILES.png.length },
    ]);
  });

  it('resolving with an outcome resumes reminders, tells the customer, notes it; once; reopening pauses again', async () => {
    const f = await firm('Resolve');
    const d = await openDispute(t.app, f.scope, dispute(f), CUSTOMER);
    await expect(
      setDisputeStatus(t.app, f.scope, d.id, { status: 'resolved' }, { actor: f.clerk }),
    ).rejects.toMatchObject({
      field: 'outcome',
    });
    const resolved = await setDisputeStatus(
      t.app,
      f.scope,
      d.id,
      { status: 'resolved', outcome: 'credit_issued' },
      { actor: f.clerk },
    );
    expect(resolved).toMatchObject({ status: 'resolved', outcome: 'credit_issued' });
    expect(await skipReasons(t.app, f, f.invoiceId, '2026-11-18')).not.toContain('disputed');
    await expect(
      setDisputeStatus(
        t.app,
        f.scope,
        d.id,
        { status: 'resolved', outcome: 'credit_issued' },
        { actor: f.clerk },
      ),
    ).rejects.toThrow(ConflictError);
    let fx = await sideEffects(t.app, f);
    expect(fx.emails.filter((e) => e.kind === 'dispute.resolved').map((e) => e.text)).toEqual([
      expect.stringContaining('We have issued a credit for it.'),
    ]);
    expect(fx.notes.map((n) => (n.payload as { text: string }).text)).toContain(
      'Duely: dispute D-1001 resolved (credit issued); reminders resume.',
    );
    clock.set('2026-11-18T15:00:00Z');
    await setDisputeStatus(t.app, f.scope, d.id, { status: 'open' }, { actor: f.clerk });
    expect(await skipReasons(t.app, f, f.invoiceId, '2026-11-19')).toContain('disputed');
    fx = await sideEffects(t.app, f);
    expect(fx.notes.map((n) => (n.payload as { text: string }).text)).toContain(
      'Duely: dispute D-1001 reopened; reminders paused.',
    );
    expect((await f.scope.findById(disputes, d.id))!.outcome).toBeNull();
  });

  it('assigns only to members of the firm with the clerk role or above', async () => {
    const f = await firm('Assign');
    const other = await firm('Assign Other');
    const d = await openDispute(t.app, f.scope, dispute(f), CUSTOMER);
    for (const id of [await f.userId(f.users.viewer), other.clerk.id, 'nobody']) {
      await expect(assignDispute(t.app, f.scope, d.id, id, { actor: f.clerk })).rejects.toMatchObject({
        field: 'ownerUserId',
      });
    }
    const assigned = await assignDispute(t.app, f.scope, d.id, f.clerk.id, { actor: f.clerk });
    expect(assigned.ownerUserId).toBe(f.clerk.id);
    await expect(
      assignDispute(t.app, other.scope, d.id, other.clerk.id, { actor: other.clerk }),
    ).rejects.toThrow(NotFoundError);
  });

  it('surfaces SLA breaches: open or waiting, unanswered, past the deadline', async () => {
    const f = await firm('Breaches');
    const late = await openDispute(t.app, f.scope, dispute(f), CUSTOMER);
    const answered = await openDispute(t.app, f.scope, dispute(f), CUSTOMER);
    await replyToDispute(
      t.app,
      f.scope,
      answered.id,
      { body: 'Looking into it.' },
      { actor: f.clerk, source: 'clerk' },
    );
    const now = new Date('2026-11-18T16:00:00Z');
    const breached = await listDisputes(f.scope, { breached: true, now });
    expect(breached.data.map((d) => d.reference)).toEqual([late.reference]);
    expect(breached.data[0]!.breached).toBe(true);
    expect(
      (await listDisputes(f.scope, { breached: true, now: new Date('2026-11-18T14:00:00Z') })).data,
    ).toEqual([]);
  });

  it("keeps one customer's cases and files from another customer and from another firm", async () => {
    const f = await firm('Walls');
    const g = await firm('Walls Other');
    const [cust2] = await f.scope
      .insert(customers, { connectionId: f.connectionId, externalId: '2', name: 'Second Customer' })
      .returning({ id: customers.id });
    const d = await openDispute(
      t.app,
      f.scope,
      dispute(f, {
        attachment: { filename: 'a.txt', contentType: 'text/plain', content: Buffer.from('hello') },
      }),
      CUSTOMER,
    );
    const [file] = await f.scope.select(attachments);
    await expect(getDisputeThread(f.scope, d.id, { customerId: cust2!.id })).rejects.toThrow(NotFoundError);
    await expect(getAttachment(f.scope, file!.id, { customerId: cust2!.id })).rejects.toThrow(NotFoundError);
    await expect(getDisputeThread(g.scope, d.id)).rejects.toThrow(NotFoundError);
    await expect(getAttachment(g.scope, file!.id)).rejects.toThrow(NotFoundError);
    await expect(
      replyToDispute(t.app, f.scope, d.id, { body: 'hi' }, { ...CUSTOMER, customerId: cust2!.id }),
    ).rejects.toThrow(NotFoundError);
    expect((await getAttachment(f.scope, file!.id, { customerId: f.customerId })).content.toString()).toBe(
      'hello',
    );
    await expect(
      openDispute(t.app, f.scope, dispute(f, { customerId: cust2!.id }), CUSTOMER),
    ).rejects.toMatchObject({ field: 'invoiceIds' });
    await addInvoice(t.app, g, { number: 'G-1', balance: '10' });
  });
});

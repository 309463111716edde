import { eq } from 'drizzle-orm';
import { attachments, customers, disputes, promises } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { openDispute } from '../../src/services/disputes';
import { createTestApp, type TestApp } from '../support/app';
import { addInvoice, movableClock, setSettings } from '../support/cases';
import { FILES } from '../support/files';
import { csrfFrom } from '../support/http';
import { portalLink, portalVisitor } from '../support/portal';
import { seedFirm, type Firm } from '../support/tenancy';

const PORTAL = { actor: { type: 'customer' as const, id: null }, source: 'portal' as const };

describe('portal: promise to pay and disputes', () => {
  const clock = movableClock('2026-11-20T15:00:00Z');
  let t: TestApp;
  let a: Firm; // customer A of firm A, invoices INV-1 (1,200.00) and INV-2 (300.00)
  let b: Firm; // another firm
  let inv2: string;
  let custB: string; // customer B of firm A
  let invB: string;

  beforeAll(async () => {
    t = await createTestApp({ now: clock.now });
    a = await seedFirm(t.app, 'Portal Cases');
    b = await seedFirm(t.app, 'Portal Cases Other');
    inv2 = await addInvoice(t.app, a, { number: 'INV-2', balance: '300.00' });
    const [c] = await new OrgScope(t.app.db, a.id)
      .insert(customers, {
        connectionId: a.connectionId,
        externalId: 'b',
        name: 'Customer B',
        email: 'b@b.example',
      })
      .returning({ id: customers.id });
    custB = c!.id;
    invB = await addInvoice(t.app, a, { number: 'B-1', balance: '50.00', customerId: custB });
    await setSettings(t.app, a, { disputes: { maxAttachmentBytes: 2048 } });
  });
  afterAll(() => t.close());

  const visitor = async (f: Firm = a, customerId = f.customerId) =>
    portalVisitor(t.web, (await portalLink(t.app, f.id, customerId)).token);
  const count = async (table: typeof promises | typeof disputes, orgId = a.id) =>
    (await t.app.db.select({ id: table.id }).from(table).where(eq(table.organizationId, orgId))).length;

  /** A multipart form post as a browser sends it, with the page's CSRF token unless told otherwise. */
  async function multipart(
    v: Awaited<ReturnType<typeof visitor>>,
    path: string,
    fields: Record<string, string | string[]>,
    file: { name: string; content: Buffer } | null,
    opts: { from: string; csrf?: boolean },
  ) {
    const page = await v.get(opts.from);
    let req = v.agent.post(path).set('X-Forwarded-For', v.ip);
    if (opts.csrf !== false) req = req.field('_csrf', csrfFrom(page.text));
    for (const [k, val] of Object.entries(fields)) for (const one of [val].flat()) req = req.field(k, one);
    if (file) req = req.attach('attachment', file.content, file.name);
    return req;
  }

  describe('promise to pay', () => {
    it('offers the open invoices, preselects the one asked for and its balance, with the latest date allowed', async () => {
      const v = await visitor();
      const all = await v.get('/portal/promise');
      expect(all.status).toBe(200);
      expect(all.text).toContain('Invoice INV-1');
      expect(all.text).toContain('Invoice INV-2');
      expect(all.text).toContain('value="1500.00"');
      expect(all.text).toContain('max="2026-12-20"');
      const one = await v.get(`/portal/promise?invoice=${inv2}`);
      expect(one.text).toContain('value="300.00"');
      expect(one.text).not.toContain('B-1');
    });

    it('needs the CSRF token', async () => {
      const v = await visitor();
      const res = await v.agent
        .post('/portal/promise')
        .set('X-Forwarded-For', v.ip)
        .type('form')
        .send({ invoiceIds: a.invoiceId, amount: '100', promisedDate: '2026-11-30' });
      expect(res.status).toBe(403);
      expect(await count(promises)).toBe(0);
    });

    it.each([
      [{ promisedDate: '2026-11-19' }, 'the date is in the past'],
      [{ promisedDate: '2026-12-21' }, 'choose a date no later than 2026-12-20'],
      [{ promisedDate: 'next week' }, 'enter a date as YYYY-MM-DD'],
      [
        { amount: '1200.01' },
        'the amount is more than the open balance of the chosen invoices (USD 1200.00)',
      ],
      [{ amount: '-1' }, 'the amount must be more than zero'],
      [{ invoiceIds: 'customer-b' }, 'one of the chosen invoices was not found'],
    ])('refuses %j with a clear message, keeps what was typed, saves nothing', async (over, message) => {
      const v = await visitor();
      const form = {
        invoiceIds: a.invoiceId,
        amount: '400.00',
        promisedDate: '2026-11-30',
        note: 'Paying by ACH',
        ...over,
      };
      const res = await v.post('/portal/promise', form, '/portal/promise');
      expect(res.status).toBe(400);
      expect(res.text).toContain('role="alert"');
      expect(res.text).toContain(message);
      expect(res.text).toContain('Paying by ACH');
      expect(res.text).toContain(`value="${form.amount}"`);
      expect(await count(promises)).toBe(0);
    });

    it('records a good promise and confirms it', async () => {
      const v = await visitor();
      const res = await v.post(
        '/portal/promise',
        { invoiceIds: [a.invoiceId, inv2], amount: '600', promisedDate: '2026-12-01' },
        '/portal/promise',
      );
      expect(res.status).toBe(200);
      expect(res.text).toContain('your promise is noted');
      expect(res.text).toContain('$600.00');
      const [p] = await t.app.db.select().from(promises).where(eq(promises.organizationId, a.id));
      expect(p).toMatchObject({
        source: 'portal',
        customerId: a.customerId,
        promisedDate: '2026-12-01',
        status: 'active',
      });
    });
  });

  describe('disputes and requests', () => {
    it('needs the CSRF token on the multipart form too', async () => {
      const v = await visitor();
      const before = await count(disputes);
      const res = await multipart(
        v,
        '/portal/disputes',
        { topic: 'dispute:pricing', invoiceIds: a.invoiceId, message: 'Wrong price' },
        { name: 'quote.pdf', content: FILES.pdf },
        { from: '/portal/disputes/new', csrf: false },
      );
      expect(res.status).toBe(403);
      expect(await count(disputes)).toBe(before);
    });

    it.each([
      [{ name: 'big.txt', content: Buffer.alloc(3000, 'a') }, 'the file is larger than the 2 KB allowed'],
      [
        { name: 'setup.pdf', content: FILES.exe },
        'the file must be a PDF, PNG, JPEG, GIF, WebP, plain text or CSV file',
      ],
      [{ name: 'photo.pdf', content: FILES.png }, 'its name ends in .pdf'],
    ])('refuses an attachment %s with a clear message and saves nothing', async (file, message) => {
      const v = await visitor();
      const before = await count(disputes);
      const res = await multipart(
        v,
        '/portal/disputes',
        { topic: 'dispute:pricing', invoiceIds: a.invoiceId, message: 'The price is not what we agreed.' },
        file,
        { from: '/portal/disputes/new' },
      );
      expect(res.status).toBe(400);
      expect(res.text).toContain(message.replace(/'/g, '&#39;'));
      expect(res.text).toContain('The price is not what we agreed.');
      expect(await count(disputes)).toBe(before);
      expect(
        await t.app.db
          .select({ id: attachments.id })
          .from(attachments)
          .where(eq(attachments.organizationId, a.id)),
      ).toEqual([]);
    });

    it('refuses a dispute without an invoice or message, saying which', async () => {
      const v = await visitor();
      const noInvoice = await multipart(
        v,
        '/portal/disputes',
        { topic: 'dispute:quality', message: 'Bad' },
        null,
        {
          from: '/portal/disputes/new',
        },
      );
      expect(noInvoice.status).toBe(400);
      expect(noInvoice.text).toContain('choose the invoices the dispute is about');
      const noTopic = await multipart(v, '/portal/disputes', { message: 'Hello' }, null, {
        from: '/portal/disputes/new',
      });
      expect(noTopic.text).toContain('choose what it is about');
    });

    it('opens a dispute with a file, shows its thread, serves the file as a download, takes a reply', async () => {
      const v = await visitor();
      const form = await v.get(`/portal/disputes/new?invoice=${a.invoiceId}`);
      expect(form.text).toMatch(new RegExp(`value="${a.invoiceId}" checked`));
      const res = await multipart(
        v,
        '/portal/disputes',
        {
          topic: 'dispute:quantity',
          invoiceIds: a.invoiceId,
          message: 'We got 3 boxes, not 5.',
          replyEmail: 'ap@portal.example',
        },
        { name: 'delivery-note.csv', content: FILES.csv },
        { from: '/portal/disputes/new' },
      );
      expect(res.status).toBe(303);
      const path = res.headers.location!.replace(/\?.*$/, '');
      const page = await v.get(res.headers.location!);
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/Dispute D-\d+/);
      expect(page.text).toContain('We got 3 boxes, not 5.');
      const link = /href="(\/portal\/disputes\/[^"]+\/attachments\/[^"]+)"/.exec(page.text)![1]!;
      const file = await v.get(link);
      expect(file.status).toBe(200);
      expect(file.headers['content-disposition']).toMatch(/^attachment; filename="?delivery-note\.csv"?$/);
      expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(file.headers['x-content-type-options']).toBe('nosniff');
      expect(file.text).toBe(FILES.csv.toString());

      const reply = await multipart(
        v,
        `${path}/reply`,
        { body: 'Photo attached.' },
        { name: 'boxes.png', content: FILES.png },
        { from: path },
      );
      expect(reply.status).toBe(303);
      const after = await v.get(path);
      expect(after.text).toContain('Photo attached.');
      expect(after.text).toContain('Download boxes.png');
      const list = await v.get('/portal/disputes');
      expect(list.text).toContain('Quantity is wrong');
    });
  });

  describe('isolation', () => {
    it("gives customer A's session a 404 for customer B's and another firm's invoices, PDFs, disputes and files", async () => {
      const scopeA = new OrgScope(t.app.db, a.id);
      const dB = await openDispute(
        t.app,
        scopeA,
        {
          customerId: custB,
          kind: 'dispute',
          category: 'pricing',
          invoiceIds: [invB],
          message: 'B secret',
          attachment: { filename: 'b.txt', contentType: 'text/plain', content: Buffer.from('B file') },
        },
        PORTAL,
      );
      const [fileB] = await scopeA.select(attachments, eq(attachments.disputeId, dB.id));
      const dOther = await openDispute(
        t.app,
        new OrgScope(t.app.db, b.id),
        {
          customerId: b.customerId,
          kind: 'request',
          category: 'invoice_copy',
          invoiceIds: [],
          message: 'Other firm',
        },
        PORTAL,
      );
      const v = await visitor();
      for (const path of [
        `/portal/invoices/${invB}`,
        `/portal/invoices/${invB}/pdf`,
        `/portal/invoices/${b.invoiceId}`,
        `/portal/invoices/${b.invoiceId}/pdf`,
        `/portal/disputes/${dB.id}`,
        `/portal/disputes/${dB.id}/attachments/${fileB!.id}`,
        `/portal/disputes/${dOther.id}`,
        `/portal/disputes/not-an-id`,
      ]) {
        const res = await v.get(path);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
        expect(res.text).not.toContain('B secret');
      }
      const ownPath = `/portal/disputes/new`;
      const reply = await multipart(v, `/portal/disputes/${dB.id}/reply`, { body: 'hijack' }, null, {
        from: ownPath,
      });
      expect(reply.status).toBe(404);
      const list = await v.get('/portal/disputes');
      expect(list.text).not.toContain(dB.reference);
      // B's own session does see it
      const vb = await visitor(a, custB);
      expect((await vb.get(`/portal/disputes/${dB.id}`)).status).toBe(200);
      expect((await vb.get(`/portal/disputes/${dB.id}/attachments/${fileB!.id}`)).text).toBe('B file');
    });
  });
});

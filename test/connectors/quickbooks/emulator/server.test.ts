import { startQuickBooksEmulator, type QuickBooksEmulator } from '../../../../connectors/quickbooks/emulator';
import { createQuickBooksConnector } from '../../../../connectors/quickbooks';
import { emulatorContext } from '../emulatorContext';

const CLIENT = { clientId: 'cid', clientSecret: 'csecret' };
let emu: QuickBooksEmulator;
let token: string;

async function accessToken(): Promise<string> {
  const res = await fetch(`${emu.url}/oauth2/v1/tokens/bearer`, {
    method: 'POST',
    headers: {
      authorization: 'Basic ' + Buffer.from('cid:csecret').toString('base64'),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: emu.issueRefreshToken(),
    }).toString(),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

const get = (path: string, auth = `Bearer ${token}`) =>
  fetch(`${emu.url}/v3/company/${emu.realmId}${path}`, { headers: { authorization: auth } });
const query = (q: string) => get(`/query?query=${encodeURIComponent(q)}&minorversion=75`);

beforeAll(async () => {
  emu = await startQuickBooksEmulator({
    company: { seed: 11, customers: 40, invoices: 120, asOf: '2026-11-20', malformed: 1 },
    ...CLIENT,
  });
  token = await accessToken();
});
afterAll(() => emu.close());

describe('QuickBooks emulator API', () => {
  it('pages with startPosition/maxResults and answers an empty page as QueryResponse {}', async () => {
    const page = (await (
      await query('SELECT * FROM Invoice ORDERBY Id STARTPOSITION 101 MAXRESULTS 100')
    ).json()) as {
      QueryResponse: { Invoice: { Id: string }[]; startPosition: number; maxResults: number };
    };
    expect(page.QueryResponse.startPosition).toBe(101);
    expect(page.QueryResponse.maxResults).toBe(20);
    expect(page.QueryResponse.Invoice[0]!.Id).toBe('101');
    const empty = (await (
      await query('SELECT * FROM Invoice STARTPOSITION 121 MAXRESULTS 100')
    ).json()) as Record<string, unknown>;
    expect(empty.QueryResponse).toEqual({});
    const count = (await (await query('SELECT COUNT(*) FROM Customer')).json()) as {
      QueryResponse: { totalCount: number };
    };
    expect(count.QueryResponse.totalCount).toBe(40);
  });

  it('renders invoices in QuickBooks shape with JSON-number amounts, and the malformed one without CustomerRef', async () => {
    const all = (await (await query('SELECT * FROM Invoice MAXRESULTS 1000')).json()) as {
      QueryResponse: { Invoice: Record<string, unknown>[] };
    };
    const inv = all.QueryResponse.Invoice.find((i) => i.CustomerRef)!;
    expect(inv).toMatchObject({
      domain: 'QBO',
      SyncToken: expect.any(String),
      TxnDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    expect(typeof inv.TotalAmt).toBe('number');
    expect((inv.MetaData as { LastUpdatedTime: string }).LastUpdatedTime).toMatch(/-08:00$/);
    expect(all.QueryResponse.Invoice.filter((i) => !i.CustomerRef)).toHaveLength(1);
  });

  it('answers a bad query with a 400 ValidationFault', async () => {
    const res = await query('SELECT * FROM Invoice MAXRESULTS 5000');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ Fault: { type: 'ValidationFault', Error: [{ code: '4000' }] } });
  });

  it('refuses a missing or unknown token with the lower-case 401 envelope, and another realm with 403', async () => {
    const res = await get('/invoice/1', 'Bearer nope');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/invalid_token/);
    expect(await res.json()).toMatchObject({ fault: { type: 'AUTHENTICATION', error: [{ code: '3200' }] } });
    const other = await fetch(`${emu.url}/v3/company/123/invoice/1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(other.status).toBe(403);
  });

  it('rejects a sparse update with a stale SyncToken (5010) and accepts the current one', async () => {
    const post = (body: unknown) =>
      fetch(`${emu.url}/v3/company/${emu.realmId}/invoice?operation=update`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const current = ((await (await get('/invoice/5')).json()) as { Invoice: { SyncToken: string } }).Invoice;
    const ok = await post({ Id: '5', SyncToken: current.SyncToken, sparse: true, PrivateNote: 'hello' });
    expect(ok.status).toBe(200);
    const stale = await post({ Id: '5', SyncToken: current.SyncToken, sparse: true, PrivateNote: 'again' });
    expect(stale.status).toBe(400);
    expect(await stale.json()).toMatchObject({ Fault: { Error: [{ code: '5010' }] } });
    const tooLong = await post({
      Id: '5',
      SyncToken: String(Number(current.SyncToken) + 1),
      sparse: true,
      PrivateNote: 'x'.repeat(4001),
    });
    expect(tooLong.status).toBe(400);
  });

  it('reports CDC deletions as status Deleted', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    emu.deleteInvoice('7');
    const body = (await (await get(`/cdc?entities=Invoice,Customer&changedSince=${since}`)).json()) as {
      CDCResponse: { QueryResponse: Record<string, unknown>[] }[];
    };
    const [inv, cust] = body.CDCResponse[0]!.QueryResponse;
    expect(inv!.Invoice).toContainEqual({
      domain: 'QBO',
      status: 'Deleted',
      Id: '7',
      MetaData: { LastUpdatedTime: expect.any(String) },
    });
    expect(cust!.Customer).toEqual([]);
    const read = await get('/invoice/7');
    expect(read.status).toBe(400);
  });

  it('keeps the connector within 10 requests in flight with latency, and Intuit limits raise no 429', async () => {
    const limited = await startQuickBooksEmulator({
      company: { seed: 12, customers: 5, invoices: 40, asOf: '2026-11-20' },
      ...CLIENT,
      enforceLimits: true,
    });
    try {
      limited.setLatency(30);
      const c = createQuickBooksConnector({ ...CLIENT, environment: 'sandbox', baseUrl: limited.url });
      const ctx = emulatorContext(c, limited);
      await ctx.getAccessToken();
      const pdfs = await Promise.all(
        Array.from({ length: 30 }, (_, i) => c.getInvoicePdf(ctx, String(i + 1))),
      );
      expect(pdfs).toHaveLength(30);
      expect(limited.stats().maxInFlight).toBeLessThanOrEqual(10);
      expect(limited.stats().maxInFlight).toBeGreaterThan(1);
      expect(limited.stats().rateLimited).toBe(0);
    } finally {
      await limited.close();
    }
  });
});

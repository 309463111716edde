/**
 * The QuickBooks Accounting API subset, over the emulated company: query, read, CDC, sparse
 * update (SyncToken conflicts → 5010), void/delete, Payment creation with LinkedTxn, invoice PDF,
 * company info. Answers carry QuickBooks' shapes, including Fault envelopes.
 */
import { normalizeMoney, parseMoney, toCanonical } from '../../../src/domain/money';
import {
  ENTITY_NAMES,
  qboTime,
  type CompanyStore,
  type EntityName,
  type InvoiceRow,
  type Row,
} from './store';
import { parseQuery, QueryParseError, type Condition } from './sql';
import { invoicePdf } from './pdf';

export interface ApiAnswer {
  status: number;
  body: unknown;
  contentType?: string;
}

const time = (store: CompanyStore) => qboTime(store.now()).replace(/-08:00$/, '.000-08:00');

export function fault(
  status: number,
  code: string,
  message: string,
  detail: string,
  type = 'ValidationFault',
): ApiAnswer {
  return {
    status,
    body: {
      Fault: { Error: [{ Message: message, Detail: detail, code, element: '' }], type },
      time: qboTime(Date.now()),
    },
  };
}

const entityByName = (name: string): EntityName | undefined =>
  ENTITY_NAMES.find((e) => e.toLowerCase() === name.toLowerCase());

type Matcher = (row: Row) => boolean;

/** Compile a condition once (values parsed once, not per row). */
function matcher(store: CompanyStore, c: Condition): Matcher {
  const field = c.field.toLowerCase();
  if (field === 'id') {
    if (c.op === 'IN') {
      const ids = new Set(c.value as string[]);
      return (row) => ids.has(String(row.id));
    }
    const v = Number(c.value);
    return (row) => compare(row.id, v, c.op);
  }
  if (field === 'metadata.lastupdatedtime' || field === 'metadata.createtime') {
    const pick = field === 'metadata.createtime' ? (r: Row) => r.createdAt : (r: Row) => r.updatedAt;
    // QuickBooks compares at whole seconds
    const sec = (ms: number) => Math.floor(ms / 1000);
    if (c.op === 'IN') {
      const set = new Set((c.value as string[]).map((v) => sec(Date.parse(v))));
      return (row) => set.has(sec(pick(row)));
    }
    const at = Date.parse(c.value as string);
    if (Number.isNaN(at)) throw new QueryParseError(`${c.field}: not a date-time: ${String(c.value)}`);
    return (row) => compare(sec(pick(row)), sec(at), c.op);
  }
  if (field === 'active') {
    const want = String(c.value).toLowerCase();
    return (row) => String((store.render('Customer', row) as { Active?: boolean }).Active ?? true) === want;
  }
  throw new QueryParseError(`Property ${c.field} is not queryable`);
}

function compare(a: number, b: number, op: Condition['op']): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
    default:
      return false;
  }
}

export function query(store: CompanyStore, text: string): ApiAnswer {
  let q;
  try {
    q = parseQuery(text);
  } catch (e) {
    return fault(400, '4000', 'Error parsing query', `QueryParserError: ${(e as Error).message}`);
  }
  const entity = entityByName(q.entity);
  if (!entity)
    return fault(400, '4001', 'Invalid query', `QueryValidationError: Entity ${q.entity} is not supported`);
  const all = store.table(entity);
  let rows: Row[];
  try {
    // queries never return deleted rows
    const tests = q.where.map((c) => matcher(store, c));
    rows = all.filter((r) => !r.deleted && tests.every((t) => t(r)));
  } catch (e) {
    return fault(400, '4001', 'Invalid query', `QueryValidationError: ${(e as Error).message}`);
  }
  if (q.count)
    return { status: 200, body: { QueryResponse: { totalCount: rows.length }, time: time(store) } };
  if (q.orderBy && q.orderBy.field.toLowerCase() !== 'id') {
    return fault(
      400,
      '4001',
      'Invalid query',
      `QueryValidationError: ORDERBY ${q.orderBy.field} is not supported by the emulator`,
    );
  }
  if (q.orderBy?.desc) rows = [...rows].reverse();
  const page = rows.slice(q.startPosition - 1, q.startPosition - 1 + q.maxResults);
  if (page.length === 0) return { status: 200, body: { QueryResponse: {}, time: time(store) } };
  return {
    status: 200,
    body: {
      QueryResponse: {
        [entity]: page.map((r) => store.render(entity, r)),
        startPosition: q.startPosition,
        maxResults: page.length,
      },
      time: time(store),
    },
  };
}

export function cdc(store: CompanyStore, entities: string, changedSince: string, cap = 1000): ApiAnswer {
  const since = Date.parse(changedSince);
  if (Number.isNaN(since))
    return fault(
      400,
      '2020',
      'Required param missing, need to supply the required value for the API',
      'Required parameter changedSince is missing in the request',
    );
  if (store.now() - since > 30 * 86_400_000) {
    return fault(400, '5020', 'Invalid changedSince', 'changedSince must be within the last 30 days');
  }
  const lists: Record<string, unknown>[] = [];
  for (const name of entities.split(',')) {
    const entity = entityByName(name.trim());
    if (!entity) return fault(400, '2030', 'Invalid entity', `Entity ${name} is not supported by CDC`);
    const changed = store
      .table(entity)
      .filter((r) => r.updatedAt >= since)
      .sort((a, b) => a.updatedAt - b.updatedAt)
      .slice(0, cap);
    lists.push({
      [entity]: changed.map((r) => store.render(entity, r)),
      startPosition: 1,
      maxResults: changed.length,
    });
  }
  return { status: 200, body: { CDCResponse: [{ QueryResponse: lists }], time: time(store) } };
}

export function read(store: CompanyStore, entityPath: string, id: string): ApiAnswer {
  const entity = entityByName(entityPath);
  if (!entity) return fault(400, '500', 'Unsupported Operation', `Operation ${entityPath} is not supported.`);
  const row = store.find(store.table(entity), id);
  if (!row || row.deleted) {
    return fault(
      400,
      '610',
      'Object Not Found',
      `Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.`,
    );
  }
  return { status: 200, body: { [entity]: store.render(entity, row), time: time(store) } };
}

export function pdf(store: CompanyStore, id: string): ApiAnswer {
  const row = store.find(store.invoices, id);
  if (!row || row.deleted) return fault(400, '610', 'Object Not Found', 'Object Not Found');
  const r = store.render('Invoice', row) as { DocNumber?: string; TotalAmt?: number; Balance?: number };
  return {
    status: 200,
    contentType: 'application/pdf',
    body: invoicePdf(`Invoice ${r.DocNumber ?? id}  Total ${r.TotalAmt ?? 0}  Balance due ${r.Balance ?? 0}`),
  };
}

export function companyInfo(store: CompanyStore, realmId: string): ApiAnswer {
  return {
    status: 200,
    body: {
      CompanyInfo: {
        CompanyName: store.companyName,
        LegalName: store.companyName,
        CompanyAddr: {
          Line1: '1 Demo Way',
          City: 'Portland',
          CountrySubDivisionCode: 'OR',
          PostalCode: '97201',
        },
        Country: 'US',
        SupportedLanguages: 'en',
        domain: 'QBO',
        sparse: false,
        Id: '1',
        SyncToken: '0',
        realmId,
      },
      time: time(store),
    },
  };
}

const PRIVATE_NOTE_MAX = 4000;

/** POST /invoice[?operation=update|void|delete] */
export function writeInvoice(
  store: CompanyStore,
  operation: string | null,
  body: Record<string, unknown>,
): ApiAnswer {
  const row = store.find(store.invoices, String(body.Id ?? ''));
  if (!row || row.deleted) return fault(400, '610', 'Object Not Found', 'Object Not Found');
  if (String(body.SyncToken) !== String(row.syncToken)) {
    return fault(
      400,
      '5010',
      'Stale Object Error',
      `Stale Object Error : You and ${'someone'} were working on this at the same time. ${'someone'} finished before you did, so your work was not saved.`,
    );
  }
  if (operation === 'void') {
    store.voidInvoice(row);
    return { status: 200, body: { Invoice: store.render('Invoice', row), time: time(store) } };
  }
  if (operation === 'delete') {
    store.deleteRow(row, 'Invoice');
    return {
      status: 200,
      body: { Invoice: { domain: 'QBO', status: 'Deleted', Id: String(row.id) }, time: time(store) },
    };
  }
  if (operation !== 'update')
    return fault(
      400,
      '500',
      'Unsupported Operation',
      `Operation ${operation ?? 'create'} is not supported by the emulator`,
    );
  if (body.sparse !== true)
    return fault(
      400,
      '2010',
      'Request has invalid or unsupported property',
      'The emulator supports sparse updates only',
    );
  if ('PrivateNote' in body) {
    const note = body.PrivateNote;
    if (note !== null && typeof note !== 'string')
      return fault(400, '2010', 'Request has invalid or unsupported property', 'PrivateNote');
    if (typeof note === 'string' && note.length > PRIVATE_NOTE_MAX) {
      return fault(
        400,
        '2050',
        'String length is either shorter or longer than supported by specification',
        `PrivateNote: Min:0 Max:${PRIVATE_NOTE_MAX}`,
      );
    }
    store.setInvoiceNote(row, note);
  } else {
    store.touch(row, 'Invoice');
  }
  return { status: 200, body: { Invoice: store.render('Invoice', row), time: time(store) } };
}

/** POST /payment: a customer payment applied to invoices through Line[].LinkedTxn. */
export function createPayment(store: CompanyStore, body: Record<string, unknown>): ApiAnswer {
  const customerId = String((body.CustomerRef as { value?: unknown } | undefined)?.value ?? '');
  const customer = store.find(store.customers, customerId);
  if (!customer || customer.deleted)
    return fault(400, '2500', 'Invalid Reference Id', `Invalid Reference Id : Customer ${customerId}`);
  const total = body.TotalAmt;
  if (typeof total !== 'number' && typeof total !== 'string')
    return fault(400, '2020', 'Required param missing', 'TotalAmt');
  const lines = Array.isArray(body.Line) ? (body.Line as Record<string, unknown>[]) : [];
  const applications: { row: InvoiceRow; amount: bigint }[] = [];
  let applied = 0n;
  for (const line of lines) {
    const links = Array.isArray(line.LinkedTxn)
      ? (line.LinkedTxn as { TxnId?: unknown; TxnType?: unknown }[])
      : [];
    const amount = parseMoney(line.Amount as number | string);
    for (const link of links) {
      if (link.TxnType !== 'Invoice') continue;
      const inv = store.find(store.invoices, String(link.TxnId));
      if (!inv || inv.deleted)
        return fault(
          400,
          '2500',
          'Invalid Reference Id',
          `Invalid Reference Id : Invoice ${String(link.TxnId)}`,
        );
      if (String(inv.g.customerId) !== customerId) {
        return fault(
          400,
          '6000',
          'A business validation error has occurred while processing your request',
          `Business Validation Error: Invoice ${inv.id} belongs to another customer.`,
        );
      }
      if (amount > parseMoney(inv.balance)) {
        return fault(
          400,
          '6000',
          'A business validation error has occurred while processing your request',
          `Business Validation Error: The payment amount applied to invoice ${inv.id} exceeds its open balance.`,
        );
      }
      applications.push({ row: inv, amount });
      applied += amount;
    }
  }
  if (applied > parseMoney(total)) {
    return fault(
      400,
      '6000',
      'A business validation error has occurred while processing your request',
      'Business Validation Error: The applied amount exceeds the payment amount.',
    );
  }
  const currency = String((body.CurrencyRef as { value?: unknown } | undefined)?.value ?? store.currency);
  const payment = store.addPayment(
    {
      customerId: customer.id,
      date:
        typeof body.TxnDate === 'string' ? body.TxnDate : new Date(store.now()).toISOString().slice(0, 10),
      amount: normalizeMoney(total),
      currency,
      method: 'card',
      reference: typeof body.PaymentRefNum === 'string' ? body.PaymentRefNum : '',
      allocations: applications.map((a) => ({ invoiceId: a.row.id, amount: toCanonical(a.amount) })),
    },
    typeof body.PrivateNote === 'string' ? body.PrivateNote : null,
  );
  for (const a of applications) store.applyPayment(a.row, a.amount, payment.id);
  return { status: 200, body: { Payment: store.render('Payment', payment), time: time(store) } };
}

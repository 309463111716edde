/**
 * The emulated company: the neutral generator's records plus a small mutable state per record,
 * rendered into QuickBooks JSON one record at a time (so 100k invoices stay compact in memory).
 */
import {
  customerBalances,
  generateCompany,
  type GenCreditNote,
  type GenCustomer,
  type GeneratorOptions,
  type GenInvoice,
  type GenPayment,
} from '../../shared/generator';
import { formatMoney, parseMoney } from '../../../src/domain/money';

export type EntityName = 'Term' | 'Customer' | 'Invoice' | 'Payment' | 'CreditMemo';
export const ENTITY_NAMES: readonly EntityName[] = ['Term', 'Customer', 'Invoice', 'Payment', 'CreditMemo'];

export type ChangeOperation = 'Create' | 'Update' | 'Delete' | 'Void';

export interface Row {
  id: number;
  syncToken: number;
  createdAt: number;
  updatedAt: number;
  deleted: boolean;
}

export interface TermRow extends Row {
  name: string;
  dueDays: number;
}
export interface CustomerRow extends Row {
  g: GenCustomer;
  balance: bigint;
}
export interface InvoiceRow extends Row {
  g: GenInvoice;
  balance: string;
  voided: boolean;
  note: string | null;
  /** Payment ids linked to this invoice. */
  payments: number[] | null;
}
export interface PaymentRow extends Row {
  g: GenPayment;
  note: string | null;
}
export interface CreditMemoRow extends Row {
  g: GenCreditNote;
}

const TERMS: [string, number][] = [
  ['Due on receipt', 0],
  ['Net 15', 15],
  ['Net 30', 30],
  ['Net 45', 45],
  ['Net 60', 60],
];

const PAYMENT_METHODS: Record<GenPayment['method'], { value: string; name: string }> = {
  check: { value: '2', name: 'Check' },
  ach: { value: '5', name: 'ACH' },
  card: { value: '3', name: 'Visa' },
  wire: { value: '6', name: 'Wire' },
};

const num = (m: string): number => Number(m);
const cur = (code: string) => ({ value: code, name: code === 'USD' ? 'United States Dollar' : code });

/** QuickBooks writes Pacific offsets ("2015-10-01T16:48:43-07:00"); we use a fixed -08:00. */
export function qboTime(ms: number): string {
  return new Date(ms - 8 * 3600_000).toISOString().slice(0, 19) + '-08:00';
}

export class CompanyStore {
  readonly companyName: string;
  readonly currency: string;
  readonly terms: TermRow[] = [];
  readonly customers: CustomerRow[] = [];
  readonly invoices: InvoiceRow[] = [];
  readonly payments: PaymentRow[] = [];
  readonly creditMemos: CreditMemoRow[] = [];
  private readonly termByDays = new Map<number, number>();
  /** Called after every change, as QuickBooks would notify webhooks. */
  onChange: ((entity: EntityName, id: number, operation: ChangeOperation) => void) | null = null;
  private clock: () => number;

  constructor(opts: GeneratorOptions, clock: () => number = Date.now) {
    this.clock = clock;
    const company = generateCompany(opts);
    this.companyName = company.companyName;
    this.currency = company.options.currency;
    const seeded = clock() - 86_400_000; // seeds predate any sync of this process
    const seedTime = (isoDate: string) => Math.min(Date.parse(isoDate + 'T17:00:00Z'), seeded);

    TERMS.forEach(([name, dueDays], i) => {
      this.terms.push({
        id: i + 1,
        syncToken: 0,
        createdAt: seeded,
        updatedAt: seeded,
        deleted: false,
        name,
        dueDays,
      });
      this.termByDays.set(dueDays, i + 1);
    });
    const balances = customerBalances(company);
    for (const g of company.customers) {
      this.customers.push({
        id: g.id,
        syncToken: 0,
        createdAt: seeded,
        updatedAt: seeded,
        deleted: false,
        g,
        balance: balances.get(g.id) ?? 0n,
      });
    }
    const links = new Map<number, number[]>();
    for (const g of company.payments) {
      for (const a of g.allocations) links.set(a.invoiceId, [...(links.get(a.invoiceId) ?? []), g.id]);
      const t = seedTime(g.date);
      this.payments.push({
        id: g.id,
        syncToken: 0,
        createdAt: t,
        updatedAt: t,
        deleted: false,
        g,
        note: null,
      });
    }
    for (const g of company.invoices) {
      const t = seedTime(g.issueDate);
      this.invoices.push({
        id: g.id,
        syncToken: g.status === 'open' ? 0 : 1,
        createdAt: t,
        updatedAt: t,
        deleted: false,
        g,
        balance: g.balance,
        voided: g.status === 'voided',
        note: g.status === 'voided' ? 'Voided' : null,
        payments: links.get(g.id) ?? null,
      });
    }
    for (const g of company.creditNotes) {
      const t = seedTime(g.date);
      this.creditMemos.push({ id: g.id, syncToken: 0, createdAt: t, updatedAt: t, deleted: false, g });
    }
  }

  now(): number {
    return this.clock();
  }

  table(entity: EntityName): Row[] {
    switch (entity) {
      case 'Term':
        return this.terms;
      case 'Customer':
        return this.customers;
      case 'Invoice':
        return this.invoices;
      case 'Payment':
        return this.payments;
      case 'CreditMemo':
        return this.creditMemos;
    }
  }

  /** Ids are 1..n in creation order, so a row is found by index. */
  find<R extends Row>(rows: R[], id: string | number): R | undefined {
    const n = typeof id === 'number' ? id : /^\d+$/.test(id) ? Number(id) : NaN;
    const row = rows[n - 1];
    return row && row.id === n ? row : undefined;
  }

  /** A change made in QuickBooks: new SyncToken and LastUpdatedTime (and a webhook when given the entity). */
  touch(row: Row, entity?: EntityName, operation: ChangeOperation = 'Update'): void {
    row.syncToken++;
    row.updatedAt = Math.max(this.clock(), row.updatedAt + 1);
    if (entity) this.onChange?.(entity, row.id, operation);
  }

  render(entity: EntityName, row: Row): Record<string, unknown> {
    if (row.deleted) {
      return {
        domain: 'QBO',
        status: 'Deleted',
        Id: String(row.id),
        MetaData: { LastUpdatedTime: qboTime(row.updatedAt) },
      };
    }
    switch (entity) {
      case 'Term':
        return this.renderTerm(row as TermRow);
      case 'Customer':
        return this.renderCustomer(row as CustomerRow);
      case 'Invoice':
        return this.renderInvoice(row as InvoiceRow);
      case 'Payment':
        return this.renderPayment(row as PaymentRow);
      case 'CreditMemo':
        return this.renderCreditMemo(row as CreditMemoRow);
    }
  }

  private meta(row: Row) {
    return {
      domain: 'QBO',
      sparse: false,
      Id: String(row.id),
      SyncToken: String(row.syncToken),
      MetaData: { CreateTime: qboTime(row.createdAt), LastUpdatedTime: qboTime(row.updatedAt) },
    };
  }

  private renderTerm(t: TermRow) {
    return { Name: t.name, Active: true, Type: 'STANDARD', DueDays: t.dueDays, ...this.meta(t) };
  }

  private renderCustomer(c: CustomerRow) {
    const g = c.g;
    const parent = g.parentId ? this.customers[g.parentId - 1]?.g : undefined;
    const emails = [g.email, g.apEmail].filter((e): e is string => !!e).join(', ');
    const balance = formatMoney(c.balance, g.currency);
    return {
      Taxable: false,
      BillAddr: {
        Id: String(100000 + g.id),
        Line1: g.address.line1,
        City: g.address.city,
        CountrySubDivisionCode: g.address.region,
        PostalCode: g.address.postalCode,
        Country: g.address.country,
      },
      Job: !!parent,
      BillWithParent: false,
      ...(parent ? { ParentRef: { value: String(parent.id) }, Level: 1 } : {}),
      Balance: num(balance),
      BalanceWithJobs: num(balance),
      CurrencyRef: cur(g.currency),
      PreferredDeliveryMethod: 'Email',
      ...this.meta(c),
      GivenName: g.contactFirstName,
      FamilyName: g.contactLastName,
      FullyQualifiedName: parent ? `${parent.name}:${g.name}` : g.name,
      CompanyName: g.companyName,
      DisplayName: g.name,
      PrintOnCheckName: g.companyName,
      Active: g.active,
      PrimaryPhone: { FreeFormNumber: g.phone },
      ...(emails ? { PrimaryEmailAddr: { Address: emails } } : {}),
      SalesTermRef: { value: String(this.termByDays.get(g.termsDays) ?? 3) },
    };
  }

  private renderInvoice(i: InvoiceRow) {
    const g = i.g;
    const customer = this.customers[g.customerId - 1]?.g;
    const zero = i.voided;
    const lines: Record<string, unknown>[] = g.lines.map((l, n) => ({
      Id: String(n + 1),
      LineNum: n + 1,
      Description: l.description,
      Amount: zero ? 0 : num(l.amount),
      DetailType: 'SalesItemLineDetail',
      SalesItemLineDetail: { ItemRef: { value: '1', name: 'Services' }, TaxCodeRef: { value: 'NON' } },
    }));
    lines.push({ Amount: zero ? 0 : num(g.total), DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} });
    const out: Record<string, unknown> = {
      AllowIPNPayment: false,
      AllowOnlinePayment: false,
      AllowOnlineCreditCardPayment: false,
      AllowOnlineACHPayment: false,
      ...this.meta(i),
      CustomField: [],
      DocNumber: g.number,
      TxnDate: g.issueDate,
      CurrencyRef: cur(g.currency),
      ...(i.note !== null ? { PrivateNote: i.note } : {}),
      LinkedTxn: (i.payments ?? []).map((p) => ({ TxnId: String(p), TxnType: 'Payment' })),
      Line: lines,
      TxnTaxDetail: { TotalTax: 0 },
      CustomerRef: { value: String(g.customerId), name: customer?.name },
      SalesTermRef: { value: String(this.termByDays.get(customer?.termsDays ?? 30) ?? 3) },
      DueDate: g.dueDate,
      TotalAmt: zero ? 0 : num(g.total),
      ApplyTaxAfterDiscount: false,
      PrintStatus: 'NotSet',
      EmailStatus: 'EmailSent',
      ...(customer?.email ? { BillEmail: { Address: customer.email } } : {}),
      Balance: zero ? 0 : num(i.balance),
    };
    // a deliberately malformed record (generator `malformed`): no customer reference
    if (g.malformed) delete out.CustomerRef;
    return out;
  }

  private renderPayment(p: PaymentRow) {
    const g = p.g;
    return {
      CustomerRef: { value: String(g.customerId), name: this.customers[g.customerId - 1]?.g.name },
      DepositToAccountRef: { value: '4' },
      PaymentMethodRef: PAYMENT_METHODS[g.method],
      PaymentRefNum: g.reference,
      TotalAmt: num(g.amount),
      UnappliedAmt: 0,
      ProcessPayment: false,
      ...this.meta(p),
      TxnDate: g.date,
      CurrencyRef: cur(g.currency),
      ...(p.note !== null ? { PrivateNote: p.note } : {}),
      Line: g.allocations.map((a) => ({
        Amount: num(a.amount),
        LinkedTxn: [{ TxnId: String(a.invoiceId), TxnType: 'Invoice' }],
      })),
    };
  }

  private renderCreditMemo(c: CreditMemoRow) {
    const g = c.g;
    return {
      RemainingCredit: num(g.remaining),
      ...this.meta(c),
      DocNumber: g.number,
      TxnDate: g.date,
      CurrencyRef: cur(g.currency),
      Line: [
        {
          Id: '1',
          LineNum: 1,
          Description: 'Credit',
          Amount: num(g.total),
          DetailType: 'SalesItemLineDetail',
          SalesItemLineDetail: { ItemRef: { value: '1', name: 'Services' }, TaxCodeRef: { value: 'NON' } },
        },
        { Amount: num(g.total), DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} },
      ],
      TxnTaxDetail: { TotalTax: 0 },
      CustomerRef: { value: String(g.customerId), name: this.customers[g.customerId - 1]?.g.name },
      TotalAmt: num(g.total),
      ApplyTaxAfterDiscount: false,
      PrintStatus: 'NotSet',
      EmailStatus: 'NotSet',
      Balance: num(g.remaining),
    };
  }

  // ---- mutations (API and test controls) ----

  setInvoiceNote(i: InvoiceRow, note: string | null): void {
    i.note = note;
    this.touch(i, 'Invoice');
  }

  voidInvoice(i: InvoiceRow): void {
    const customer = this.customers[i.g.customerId - 1];
    if (customer) customer.balance -= parseMoney(i.balance);
    i.voided = true;
    i.balance = formatMoney(0n, i.g.currency);
    i.note = 'Voided';
    this.touch(i, 'Invoice', 'Void');
  }

  deleteRow(row: Row, entity: EntityName): void {
    row.deleted = true;
    this.touch(row, entity, 'Delete');
  }

  /** Apply a payment amount to an invoice (balance never below zero: checked by the caller). */
  applyPayment(i: InvoiceRow, amount: bigint, paymentId: number): void {
    i.balance = formatMoney(parseMoney(i.balance) - amount, i.g.currency);
    i.payments = [...(i.payments ?? []), paymentId];
    this.touch(i, 'Invoice');
    const customer = this.customers[i.g.customerId - 1];
    if (customer) {
      customer.balance -= amount;
      this.touch(customer, 'Customer');
    }
  }

  addPayment(g: Omit<GenPayment, 'id'>, note: string | null): PaymentRow {
    const now = this.clock();
    const row: PaymentRow = {
      id: this.payments.length + 1,
      syncToken: 0,
      createdAt: now,
      updatedAt: now,
      deleted: false,
      g: { ...g, id: this.payments.length + 1 },
      note,
    };
    this.payments.push(row);
    this.onChange?.('Payment', row.id, 'Create');
    return row;
  }
}

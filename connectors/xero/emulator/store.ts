/**
 * The emulator's books for one tenant, seeded from the neutral generator and rendered in
 * Xero's own shapes on demand (records are kept compact so 100,000 invoices stay cheap).
 */
import crypto from 'node:crypto';

import { formatMoney, parseMoney } from '../../../src/domain/money';
import {
  generateCompany,
  type GenCustomer,
  type GenInvoice,
  type GeneratorOptions,
} from '../../shared/generator';
import { isoDateToXero, toXeroDate } from '../mapping/dates';

export function guid(...parts: (string | number)[]): string {
  const h = crypto.createHash('sha1').update(parts.join(':')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface ContactRec {
  id: string;
  gen: GenCustomer;
  status: 'ACTIVE' | 'ARCHIVED' | 'GDPRREQUEST';
  updatedMs: number;
  /**
   * Xero sets IsCustomer/IsSupplier itself from the contact's sales/purchase documents; a test
   * may pin IsCustomer to mimic Xero not having flagged a contact yet.
   */
  isCustomer?: boolean;
}

export interface HistoryRec {
  details: string;
  changes: string;
  dateMs: number;
}

export interface InvoiceRec {
  id: string;
  number: string;
  type: 'ACCREC' | 'ACCPAY';
  contactId: string;
  issueDate: string;
  dueDate: string;
  currency: string;
  lines: { description: string; amount: string }[];
  total: bigint;
  paid: bigint;
  credited: bigint;
  status: 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'PAID' | 'VOIDED' | 'DELETED';
  malformed: boolean;
  updatedMs: number;
  history?: HistoryRec[];
}

export interface PaymentRec {
  id: string;
  invoiceId: string;
  date: string;
  amount: bigint;
  reference: string;
  accountCode: string;
  status: 'AUTHORISED' | 'DELETED';
  updatedMs: number;
}

export interface CreditNoteRec {
  id: string;
  number: string;
  contactId: string;
  date: string;
  currency: string;
  total: bigint;
  remaining: bigint;
  allocations: { invoiceId: string; amount: bigint; date: string }[];
  status: 'AUTHORISED' | 'PAID' | 'VOIDED';
  updatedMs: number;
}

export interface PrepaymentRec extends Omit<CreditNoteRec, 'number'> {
  kind: 'RECEIVE-OVERPAYMENT' | 'RECEIVE-PREPAYMENT' | 'SPEND-OVERPAYMENT';
  reference: string;
}

export class TenantBooks {
  readonly tenantId: string;
  readonly name: string;
  readonly currency: string;
  readonly contacts: ContactRec[] = [];
  readonly invoices: InvoiceRec[] = [];
  readonly payments: PaymentRec[] = [];
  readonly creditNotes: CreditNoteRec[] = [];
  readonly overpayments: PrepaymentRec[] = [];
  readonly prepayments: PrepaymentRec[] = [];
  readonly invoiceById = new Map<string, InvoiceRec>();
  readonly contactById = new Map<string, ContactRec>();
  /** Idempotency-Key → the response first given for it. */
  readonly idempotent = new Map<string, { status: number; body: unknown }>();
  private seq = 0;

  constructor(tenantId: string, opts: GeneratorOptions) {
    this.tenantId = tenantId;
    const company = generateCompany(opts);
    this.name = company.companyName;
    this.currency = company.options.currency;
    const cur = this.currency;
    // seeded records were last changed well before the emulator started
    const seededMs = (date: string) => Math.min(Date.parse(date + 'T09:00:00Z'), Date.now() - 3_600_000);
    const contactIds: string[] = [];
    for (const c of company.customers) {
      const id = guid(tenantId, 'contact', c.id);
      contactIds[c.id] = id;
      const rec: ContactRec = {
        id,
        gen: c,
        status: c.active ? 'ACTIVE' : c.id % 2 === 0 ? 'ARCHIVED' : 'GDPRREQUEST',
        updatedMs: seededMs(opts.asOf) - c.id * 1000,
      };
      this.contacts.push(rec);
      this.contactById.set(id, rec);
    }
    const invoiceIds: string[] = [];
    for (const inv of company.invoices) {
      const id = guid(tenantId, 'invoice', inv.id);
      invoiceIds[inv.id] = id;
      this.addInvoice(this.fromGen(inv, id, contactIds[inv.customerId]!, seededMs(inv.issueDate)));
      // a few documents Duely must skip: drafts awaiting approval and supplier bills
      if (inv.id % 97 === 0) {
        const draft = this.fromGen(
          inv,
          guid(tenantId, 'draft', inv.id),
          contactIds[inv.customerId]!,
          seededMs(inv.issueDate),
        );
        draft.number = `${inv.number}-D`;
        draft.status = inv.id % 2 === 0 ? 'DRAFT' : 'SUBMITTED';
        draft.paid = 0n;
        draft.credited = 0n;
        this.addInvoice(draft);
      }
      if (inv.id % 89 === 0) {
        const bill = this.fromGen(
          inv,
          guid(tenantId, 'bill', inv.id),
          contactIds[inv.customerId]!,
          seededMs(inv.issueDate),
        );
        bill.type = 'ACCPAY';
        bill.number = `BILL-${inv.id}`;
        this.addInvoice(bill);
      }
    }
    for (const p of company.payments) {
      for (const [k, a] of p.allocations.entries())
        this.payments.push({
          id: guid(tenantId, 'payment', p.id, k),
          invoiceId: invoiceIds[a.invoiceId]!,
          date: p.date,
          amount: parseMoney(a.amount),
          reference: p.reference,
          accountCode: '090',
          status: 'AUTHORISED',
          updatedMs: seededMs(p.date),
        });
    }
    for (const cn of company.creditNotes) {
      const remaining = parseMoney(cn.remaining);
      this.creditNotes.push({
        id: guid(tenantId, 'creditnote', cn.id),
        number: cn.number,
        contactId: contactIds[cn.customerId]!,
        date: cn.date,
        currency: cur,
        total: parseMoney(cn.total),
        remaining,
        allocations: cn.allocations.map((a) => ({
          invoiceId: invoiceIds[a.invoiceId]!,
          amount: parseMoney(a.amount),
          date: cn.date,
        })),
        status: remaining > 0n ? 'AUTHORISED' : 'PAID',
        updatedMs: seededMs(cn.date),
      });
    }
    // customer overpayments and prepayments (and one supplier overpayment Duely must skip)
    for (const c of company.customers) {
      if (c.id % 150 !== 7 && c.id % 230 !== 11 && c.id !== 3) continue;
      const kind: PrepaymentRec['kind'] =
        c.id === 3 ? 'SPEND-OVERPAYMENT' : c.id % 150 === 7 ? 'RECEIVE-OVERPAYMENT' : 'RECEIVE-PREPAYMENT';
      const total = BigInt(100 + (c.id % 900)) * 10_000n;
      const rec: PrepaymentRec = {
        id: guid(tenantId, kind, c.id),
        kind,
        contactId: contactIds[c.id]!,
        date: opts.asOf,
        currency: cur,
        total,
        remaining: total,
        reference: `${kind === 'RECEIVE-PREPAYMENT' ? 'Deposit' : 'Overpaid'} ${c.id}`,
        allocations: [],
        status: 'AUTHORISED',
        updatedMs: seededMs(opts.asOf),
      };
      (kind === 'RECEIVE-PREPAYMENT' ? this.prepayments : this.overpayments).push(rec);
    }
  }

  private fromGen(inv: GenInvoice, id: string, contactId: string, updatedMs: number): InvoiceRec {
    return {
      id,
      number: inv.number,
      type: 'ACCREC',
      contactId,
      issueDate: inv.issueDate,
      dueDate: inv.dueDate,
      currency: inv.currency,
      lines: inv.lines,
      total: parseMoney(inv.total),
      paid: parseMoney(inv.paid),
      credited: parseMoney(inv.credited),
      status: inv.status === 'open' ? 'AUTHORISED' : inv.status === 'paid' ? 'PAID' : 'VOIDED',
      malformed: inv.malformed,
      updatedMs: updatedMs + (inv.id % 3600) * 1000,
    };
  }

  addInvoice(rec: InvoiceRec) {
    this.invoices.push(rec);
    this.invoiceById.set(rec.id, rec);
    this.invalidateBalances();
  }

  /** A strictly increasing "now" so two edits in one millisecond still order. */
  touch(): number {
    this.seq = Math.max(this.seq + 1, Date.now());
    return this.seq;
  }

  amountDue(inv: InvoiceRec): bigint {
    if (inv.status === 'VOIDED' || inv.status === 'DELETED') return 0n;
    return inv.total - inv.paid - inv.credited;
  }

  // ---- rendering in Xero's shapes -------------------------------------------------------

  private money(m: bigint): number {
    // JSON numbers, as Xero sends them; the text is exact decimal (no arithmetic on floats)
    return Number(formatMoney(m, this.currency));
  }

  contactRef(id: string) {
    const c = this.contactById.get(id);
    return { ContactID: id, Name: c?.gen.name ?? 'Unknown' };
  }

  renderContact(c: ContactRec) {
    const g = c.gen;
    const outstanding = this.outstandingByContact().get(c.id) ?? 0n;
    return {
      ContactID: c.id,
      ContactStatus: c.status,
      Name: g.name,
      FirstName: g.contactFirstName,
      LastName: g.contactLastName,
      EmailAddress: c.status === 'GDPRREQUEST' ? '' : (g.email ?? ''),
      ContactPersons: g.apEmail
        ? [{ FirstName: 'Accounts', LastName: 'Payable', EmailAddress: g.apEmail, IncludeInEmails: true }]
        : [],
      Addresses: [
        {
          AddressType: 'POBOX',
          AddressLine1: g.address.line1,
          City: g.address.city,
          Region: g.address.region,
          PostalCode: g.address.postalCode,
          Country: g.address.country,
        },
      ],
      Phones: [{ PhoneType: 'DEFAULT', PhoneNumber: g.phone, PhoneAreaCode: '', PhoneCountryCode: '' }],
      UpdatedDateUTC: toXeroDate(c.updatedMs),
      IsSupplier: this.rolesOf(c.id).supplier,
      IsCustomer: c.isCustomer ?? this.rolesOf(c.id).customer,
      DefaultCurrency: g.currency,
      PaymentTerms: { Sales: { Day: g.termsDays, Type: 'DAYSAFTERBILLDATE' } },
      Balances: {
        AccountsReceivable: { Outstanding: this.money(outstanding), Overdue: 0 },
        AccountsPayable: { Outstanding: 0, Overdue: 0 },
      },
      HasAttachments: false,
      HasValidationErrors: false,
    };
  }

  private outstanding: Map<string, bigint> | null = null;
  private outstandingByContact(): Map<string, bigint> {
    if (!this.outstanding) {
      const m = new Map<string, bigint>();
      for (const inv of this.invoices)
        if (inv.type === 'ACCREC' && inv.status === 'AUTHORISED')
          m.set(inv.contactId, (m.get(inv.contactId) ?? 0n) + this.amountDue(inv));
      this.outstanding = m;
    }
    return this.outstanding;
  }
  invalidateBalances() {
    this.outstanding = null;
    this.roles = null;
  }

  private roles: Map<string, { customer: boolean; supplier: boolean }> | null = null;
  /** A contact is a customer once it has a sales invoice, a supplier once it has a bill. */
  private rolesOf(contactId: string): { customer: boolean; supplier: boolean } {
    if (!this.roles) {
      const m = new Map<string, { customer: boolean; supplier: boolean }>();
      for (const inv of this.invoices) {
        const r = m.get(inv.contactId) ?? { customer: false, supplier: false };
        if (inv.type === 'ACCREC') r.customer = true;
        else r.supplier = true;
        m.set(inv.contactId, r);
      }
      this.roles = m;
    }
    return this.roles.get(contactId) ?? { customer: false, supplier: false };
  }

  renderInvoice(inv: InvoiceRec) {
    const base = {
      Type: inv.type,
      InvoiceID: inv.id,
      InvoiceNumber: inv.number,
      Reference: '',
      Payments: [],
      CreditNotes: [],
      Prepayments: [],
      Overpayments: [],
      AmountDue: this.money(this.amountDue(inv)),
      AmountPaid: this.money(inv.paid),
      AmountCredited: this.money(inv.credited),
      CurrencyRate: 1.0,
      IsDiscounted: false,
      HasAttachments: false,
      HasErrors: false,
      Contact: this.contactRef(inv.contactId),
      DateString: `${inv.issueDate}T00:00:00`,
      Date: isoDateToXero(inv.issueDate),
      DueDateString: `${inv.dueDate}T00:00:00`,
      DueDate: isoDateToXero(inv.dueDate),
      Status: inv.status,
      LineAmountTypes: 'Exclusive',
      LineItems: inv.lines.map((l, i) => ({
        LineItemID: guid(inv.id, 'line', i),
        Description: l.description,
        Quantity: 1.0,
        UnitAmount: Number(l.amount),
        LineAmount: Number(l.amount),
        AccountCode: '200',
        TaxType: 'NONE',
        TaxAmount: 0.0,
      })),
      SubTotal: this.money(inv.total),
      TotalTax: 0.0,
      Total: this.money(inv.total),
      UpdatedDateUTC: toXeroDate(inv.updatedMs),
      CurrencyCode: inv.currency,
    };
    if (inv.malformed) {
      // a record Duely must report, not drop: valid for the spec, but no contact and a broken date
      const { Contact: _omit, ...rest } = base;
      return { ...rest, Date: '/Date(garbled)/' };
    }
    return base;
  }

  renderPayment(p: PaymentRec) {
    const inv = this.invoiceById.get(p.invoiceId)!;
    return {
      PaymentID: p.id,
      Date: isoDateToXero(p.date),
      BankAmount: this.money(p.amount),
      Amount: this.money(p.amount),
      Reference: p.reference,
      CurrencyRate: 1.0,
      PaymentType: inv.type === 'ACCREC' ? 'ACCRECPAYMENT' : 'ACCPAYPAYMENT',
      Status: p.status,
      UpdatedDateUTC: toXeroDate(p.updatedMs),
      HasAccount: true,
      IsReconciled: false,
      Account: { AccountID: guid('account', p.accountCode), Code: p.accountCode },
      Invoice: {
        Type: inv.type,
        InvoiceID: inv.id,
        InvoiceNumber: inv.number,
        Contact: this.contactRef(inv.contactId),
        CurrencyCode: inv.currency,
      },
      HasValidationErrors: false,
    };
  }

  private allocations(list: CreditNoteRec['allocations']) {
    return list.map((a) => {
      const inv = this.invoiceById.get(a.invoiceId);
      return {
        Amount: this.money(a.amount),
        Date: isoDateToXero(a.date),
        Invoice: { InvoiceID: a.invoiceId, InvoiceNumber: inv?.number ?? '' },
      };
    });
  }

  renderCreditNote(cn: CreditNoteRec) {
    return {
      CreditNoteID: cn.id,
      CreditNoteNumber: cn.number,
      Type: 'ACCRECCREDIT',
      Reference: '',
      RemainingCredit: this.money(cn.remaining),
      Allocations: this.allocations(cn.allocations),
      HasAttachments: false,
      Contact: this.contactRef(cn.contactId),
      Date: isoDateToXero(cn.date),
      Status: cn.status,
      LineAmountTypes: 'Exclusive',
      SubTotal: this.money(cn.total),
      TotalTax: 0.0,
      Total: this.money(cn.total),
      UpdatedDateUTC: toXeroDate(cn.updatedMs),
      CurrencyCode: cn.currency,
      CurrencyRate: 1.0,
    };
  }

  renderPrepayment(r: PrepaymentRec) {
    const idKey = r.kind === 'RECEIVE-PREPAYMENT' ? 'PrepaymentID' : 'OverpaymentID';
    return {
      [idKey]: r.id,
      Type: r.kind,
      Reference: r.reference,
      RemainingCredit: this.money(r.remaining),
      Allocations: this.allocations(r.allocations),
      HasAttachments: false,
      Contact: this.contactRef(r.contactId),
      Date: isoDateToXero(r.date),
      Status: r.status,
      LineAmountTypes: 'NoTax',
      SubTotal: this.money(r.total),
      TotalTax: 0.0,
      Total: this.money(r.total),
      UpdatedDateUTC: toXeroDate(r.updatedMs),
      CurrencyCode: r.currency,
    };
  }
}

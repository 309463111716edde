/** The Xero collections Duely reads, and how each becomes canonical records. */
import type { EntityKind } from '../types';
import { mapContact } from './mapping/contacts';
import { mapInvoice } from './mapping/invoices';
import { mapCreditNote, mapOverpayment, mapPayment, mapPrepayment } from './mapping/payments';
import { mapPage, type MappedPage } from './mapping/result';
import {
  contactSchema,
  creditNoteSchema,
  invoiceSchema,
  overpaymentSchema,
  paymentSchema,
  prepaymentSchema,
} from './mapping/schemas';

export type XeroCollection =
  'contacts' | 'invoices' | 'creditNotes' | 'payments' | 'overpayments' | 'prepayments';

export interface XeroCollectionSpec {
  key: XeroCollection;
  path: string;
  /** Array key of the response envelope. */
  listKey: string;
  idField: string;
  entity: EntityKind;
  /** Server-side filter (the spec allows `where` on every one of these lists). */
  where?: string;
  query?: Record<string, string>;
  /** How to fetch specific ids: the `IDs` parameter, or a `where` on the id field. */
  byIds: 'IDs' | 'where';
  map(raws: readonly unknown[]): MappedPage<unknown>;
}

export const COLLECTIONS: readonly XeroCollectionSpec[] = [
  {
    key: 'contacts',
    path: '/Contacts',
    listKey: 'Contacts',
    idField: 'ContactID',
    entity: 'customers',
    query: { includeArchived: 'true' },
    byIds: 'IDs',
    map: (raws) =>
      mapPage(raws, { entity: 'customers', idField: 'ContactID', schema: contactSchema, map: mapContact }),
  },
  {
    key: 'invoices',
    path: '/Invoices',
    listKey: 'Invoices',
    idField: 'InvoiceID',
    entity: 'invoices',
    where: 'Type=="ACCREC"',
    byIds: 'IDs',
    map: (raws) =>
      mapPage(raws, { entity: 'invoices', idField: 'InvoiceID', schema: invoiceSchema, map: mapInvoice }),
  },
  {
    key: 'creditNotes',
    path: '/CreditNotes',
    listKey: 'CreditNotes',
    idField: 'CreditNoteID',
    entity: 'creditNotes',
    where: 'Type=="ACCRECCREDIT"',
    byIds: 'where',
    map: (raws) =>
      mapPage(raws, {
        entity: 'creditNotes',
        idField: 'CreditNoteID',
        schema: creditNoteSchema,
        map: mapCreditNote,
      }),
  },
  {
    key: 'payments',
    path: '/Payments',
    listKey: 'Payments',
    idField: 'PaymentID',
    entity: 'payments',
    where: 'PaymentType=="ACCRECPAYMENT"',
    byIds: 'where',
    map: (raws) =>
      mapPage(raws, { entity: 'payments', idField: 'PaymentID', schema: paymentSchema, map: mapPayment }),
  },
  {
    key: 'overpayments',
    path: '/Overpayments',
    listKey: 'Overpayments',
    idField: 'OverpaymentID',
    entity: 'payments',
    where: 'Type=="RECEIVE-OVERPAYMENT"',
    byIds: 'where',
    map: (raws) =>
      mapPage(raws, {
        entity: 'payments',
        idField: 'OverpaymentID',
        schema: overpaymentSchema,
        map: mapOverpayment,
      }),
  },
  {
    key: 'prepayments',
    path: '/Prepayments',
    listKey: 'Prepayments',
    idField: 'PrepaymentID',
    entity: 'payments',
    where: 'Type=="RECEIVE-PREPAYMENT"',
    byIds: 'where',
    map: (raws) =>
      mapPage(raws, {
        entity: 'payments',
        idField: 'PrepaymentID',
        schema: prepaymentSchema,
        map: mapPrepayment,
      }),
  },
];

/** Put mapped records in the batch field their entity kind uses. */
export function batchFields(entity: EntityKind, records: unknown[]) {
  switch (entity) {
    case 'customers':
      return { customers: records as never[] };
    case 'invoices':
      return { invoices: records as never[] };
    case 'payments':
      return { payments: records as never[] };
    case 'creditNotes':
      return { creditNotes: records as never[] };
  }
}

/**
 * zod schemas for the raw QuickBooks records Duely reads. Loose on purpose: QuickBooks adds
 * fields with every minor version; only what the mappers use is checked. Amounts arrive as JSON
 * numbers and are turned into decimal strings by `normalizeMoney`, never added as floats.
 */
import { z } from 'zod';

export const amount = z.union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?$/)]);
const idString = z.union([z.string().min(1), z.number().int()]).transform(String);
export const ref = z.object({ value: idString, name: z.string().optional().nullable() });
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const metaData = z
  .object({ CreateTime: z.string().optional(), LastUpdatedTime: z.string().optional() })
  .optional()
  .nullable();

/** CDC and delete answers: `{"domain":"QBO","status":"Deleted","Id":"266"}`. */
export const deletedRecord = z.object({
  Id: idString,
  status: z.literal('Deleted'),
  MetaData: metaData,
});

export const rawTerm = z.object({
  Id: idString,
  Name: z.string(),
  Active: z.boolean().optional(),
  Type: z.string().optional(),
  DueDays: z.number().int().optional().nullable(),
});

const address = z
  .object({
    Line1: z.string().optional().nullable(),
    Line2: z.string().optional().nullable(),
    City: z.string().optional().nullable(),
    CountrySubDivisionCode: z.string().optional().nullable(),
    PostalCode: z.string().optional().nullable(),
    Country: z.string().optional().nullable(),
  })
  .optional()
  .nullable();

export const rawCustomer = z.object({
  Id: idString,
  SyncToken: z.string().optional(),
  MetaData: metaData,
  DisplayName: z.string().min(1),
  CompanyName: z.string().optional().nullable(),
  GivenName: z.string().optional().nullable(),
  FamilyName: z.string().optional().nullable(),
  PrimaryEmailAddr: z.object({ Address: z.string().optional().nullable() }).optional().nullable(),
  PrimaryPhone: z.object({ FreeFormNumber: z.string().optional().nullable() }).optional().nullable(),
  CurrencyRef: ref.optional().nullable(),
  Balance: amount.optional().nullable(),
  SalesTermRef: ref.optional().nullable(),
  BillAddr: address,
  Active: z.boolean().optional(),
  Job: z.boolean().optional(),
  ParentRef: ref.optional().nullable(),
});

const linkedTxn = z.object({ TxnId: idString, TxnType: z.string() });

export const rawLine = z.object({
  Amount: amount.optional().nullable(),
  Description: z.string().optional().nullable(),
  DetailType: z.string().optional(),
  LinkedTxn: z.array(linkedTxn).optional().nullable(),
});

export const rawInvoice = z.object({
  Id: idString,
  SyncToken: z.string().optional(),
  MetaData: metaData,
  DocNumber: z.string().optional().nullable(),
  TxnDate: date,
  DueDate: date.optional().nullable(),
  CurrencyRef: ref.optional().nullable(),
  ExchangeRate: amount.optional().nullable(),
  CustomerRef: ref,
  SalesTermRef: ref.optional().nullable(),
  Line: z.array(rawLine).optional().nullable(),
  TotalAmt: amount,
  Balance: amount,
  HomeBalance: amount.optional().nullable(),
  PrivateNote: z.string().optional().nullable(),
  InvoiceLink: z.string().optional().nullable(),
});

export const rawPayment = z.object({
  Id: idString,
  MetaData: metaData,
  CustomerRef: ref.optional().nullable(),
  TxnDate: date,
  TotalAmt: amount,
  CurrencyRef: ref.optional().nullable(),
  PaymentMethodRef: ref.optional().nullable(),
  PaymentRefNum: z.string().optional().nullable(),
  PrivateNote: z.string().optional().nullable(),
  Line: z.array(rawLine).optional().nullable(),
});

export const rawCreditMemo = z.object({
  Id: idString,
  MetaData: metaData,
  DocNumber: z.string().optional().nullable(),
  CustomerRef: ref,
  TxnDate: date,
  CurrencyRef: ref.optional().nullable(),
  TotalAmt: amount,
  RemainingCredit: amount.optional().nullable(),
  Balance: amount.optional().nullable(),
  PrivateNote: z.string().optional().nullable(),
  Line: z.array(rawLine).optional().nullable(),
});

export type RawTerm = z.infer<typeof rawTerm>;
export type RawCustomer = z.infer<typeof rawCustomer>;
export type RawInvoice = z.infer<typeof rawInvoice>;
export type RawPayment = z.infer<typeof rawPayment>;
export type RawCreditMemo = z.infer<typeof rawCreditMemo>;
export type RawDeleted = z.infer<typeof deletedRecord>;

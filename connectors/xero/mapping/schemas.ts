/** zod schemas for the raw Xero records Duely reads (PascalCase, as the API sends them). */
import { z } from 'zod';

const money = z.union([z.number(), z.string()]);
const str = z.string();
const optStr = z.string().nullish();

export const connectionsSchema = z.array(
  z.object({
    id: str,
    authEventId: optStr,
    tenantId: str,
    tenantType: str,
    tenantName: optStr,
    createdDateUtc: optStr,
    updatedDateUtc: optStr,
  }),
);
export type XeroConnection = z.infer<typeof connectionsSchema>[number];

export const paginationSchema = z
  .object({ page: z.number(), pageSize: z.number(), pageCount: z.number(), itemCount: z.number() })
  .partial();

const contactRef = z.object({ ContactID: str, Name: optStr });

export const contactSchema = z.object({
  ContactID: str,
  Name: str.min(1),
  ContactStatus: optStr,
  FirstName: optStr,
  LastName: optStr,
  EmailAddress: optStr,
  DefaultCurrency: optStr,
  IsCustomer: z.boolean().nullish(),
  ContactPersons: z
    .array(
      z.object({
        FirstName: optStr,
        LastName: optStr,
        EmailAddress: optStr,
        IncludeInEmails: z.boolean().nullish(),
      }),
    )
    .nullish(),
  Phones: z
    .array(
      z.object({
        PhoneType: optStr,
        PhoneNumber: optStr,
        PhoneAreaCode: optStr,
        PhoneCountryCode: optStr,
      }),
    )
    .nullish(),
  Addresses: z
    .array(
      z.object({
        AddressType: optStr,
        AddressLine1: optStr,
        AddressLine2: optStr,
        City: optStr,
        Region: optStr,
        PostalCode: optStr,
        Country: optStr,
      }),
    )
    .nullish(),
  Balances: z.object({ AccountsReceivable: z.object({ Outstanding: money.nullish() }).nullish() }).nullish(),
  PaymentTerms: z
    .object({ Sales: z.object({ Day: z.number().nullish(), Type: optStr }).nullish() })
    .nullish(),
  UpdatedDateUTC: optStr,
});
export type XeroContact = z.infer<typeof contactSchema>;

export const invoiceSchema = z.object({
  Type: str,
  InvoiceID: str,
  InvoiceNumber: optStr,
  Contact: contactRef,
  Date: str,
  DueDate: optStr,
  Status: str,
  CurrencyCode: str.min(3),
  CurrencyRate: money.nullish(),
  Total: money,
  AmountDue: money,
  LineItems: z.array(z.object({ Description: optStr, LineAmount: money.nullish() })).nullish(),
  OnlineInvoiceUrl: optStr,
  UpdatedDateUTC: optStr,
});
export type XeroInvoice = z.infer<typeof invoiceSchema>;

const allocationSchema = z.object({
  Amount: money,
  Invoice: z.object({ InvoiceID: str }),
});

export const paymentSchema = z.object({
  PaymentID: str,
  Date: str,
  Amount: money,
  Reference: optStr,
  PaymentType: optStr,
  Status: optStr,
  Invoice: z
    .object({
      InvoiceID: str,
      Type: optStr,
      CurrencyCode: optStr,
      Contact: contactRef.nullish(),
    })
    .nullish(),
  UpdatedDateUTC: optStr,
});
export type XeroPayment = z.infer<typeof paymentSchema>;

export const creditNoteSchema = z.object({
  CreditNoteID: str,
  CreditNoteNumber: optStr,
  Type: str,
  Contact: contactRef,
  Date: str,
  Status: str,
  CurrencyCode: str.min(3),
  Total: money,
  RemainingCredit: money.nullish(),
  Allocations: z.array(allocationSchema).nullish(),
  UpdatedDateUTC: optStr,
});
export type XeroCreditNote = z.infer<typeof creditNoteSchema>;

/** Overpayments and Prepayments share a shape; only the id field differs. */
const prepaymentLike = {
  Type: str,
  Contact: contactRef,
  Date: str,
  Status: str,
  CurrencyCode: str.min(3),
  Total: money,
  RemainingCredit: money.nullish(),
  Reference: optStr,
  Allocations: z.array(allocationSchema).nullish(),
  UpdatedDateUTC: optStr,
};
export const overpaymentSchema = z.object({ OverpaymentID: str, ...prepaymentLike });
export const prepaymentSchema = z.object({ PrepaymentID: str, ...prepaymentLike });
export type XeroOverpayment = z.infer<typeof overpaymentSchema>;
export type XeroPrepayment = z.infer<typeof prepaymentSchema>;

export const historySchema = z.object({
  HistoryRecords: z
    .array(z.object({ Details: optStr, Changes: optStr, User: optStr, DateUTC: optStr }))
    .nullish(),
});

/** Xero's error envelope (400 ValidationException and friends). */
export const apiErrorSchema = z.object({
  ErrorNumber: z.number().nullish(),
  Type: optStr,
  Message: optStr,
  Elements: z
    .array(z.object({ ValidationErrors: z.array(z.object({ Message: optStr })).nullish() }).loose())
    .nullish(),
});

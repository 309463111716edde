/** QuickBooks Customer → CanonicalCustomer. Sub-customers (jobs) keep their parent. */
import type { CanonicalContact, CanonicalCustomer } from '../../types';
import {
  isDeletedRaw,
  money,
  recordError,
  schemaError,
  utc,
  type Mapped,
  type MappingContext,
} from './common';
import { deletedRecord, rawCustomer, type RawCustomer } from './schemas';

function contacts(c: RawCustomer): CanonicalContact[] {
  // QuickBooks holds one primary address field; several addresses are comma separated.
  const emails = (c.PrimaryEmailAddr?.Address ?? '')
    .split(/[,;]/)
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  const person = [c.GivenName, c.FamilyName].filter((x): x is string => !!x).join(' ') || null;
  const phone = c.PrimaryPhone?.FreeFormNumber ?? null;
  if (emails.length === 0 && !person && !phone) return [];
  const out: CanonicalContact[] = [
    { externalId: null, name: person, email: emails[0] ?? null, phone, role: 'billing', isPrimary: true },
  ];
  for (const email of emails.slice(1)) {
    out.push({ externalId: null, name: null, email, phone: null, role: 'billing', isPrimary: false });
  }
  return out;
}

export function mapCustomer(raw: unknown, ctx: MappingContext): Mapped<CanonicalCustomer> {
  if (isDeletedRaw(raw)) {
    const d = deletedRecord.safeParse(raw);
    if (!d.success) return { ok: false, error: schemaError('customers', raw, d.error) };
    return {
      ok: true,
      value: {
        externalId: d.data.Id,
        parentExternalId: null,
        name: '',
        email: null,
        phone: null,
        currency: null,
        balance: null,
        terms: null,
        address: null,
        active: false,
        deleted: true,
        contacts: [],
        updatedAt: utc(d.data.MetaData?.LastUpdatedTime),
      },
    };
  }
  const parsed = rawCustomer.safeParse(raw);
  if (!parsed.success) return { ok: false, error: schemaError('customers', raw, parsed.error) };
  const c = parsed.data;
  try {
    const term = c.SalesTermRef ? ctx.terms.get(c.SalesTermRef.value) : undefined;
    const cs = contacts(c);
    const a = c.BillAddr;
    return {
      ok: true,
      value: {
        externalId: c.Id,
        parentExternalId: c.ParentRef?.value ?? null,
        name: c.DisplayName,
        email: cs[0]?.email ?? null,
        phone: c.PrimaryPhone?.FreeFormNumber ?? null,
        currency: c.CurrencyRef?.value ?? ctx.homeCurrency,
        balance: c.Balance === undefined || c.Balance === null ? null : money(c.Balance),
        terms: c.SalesTermRef
          ? {
              externalId: c.SalesTermRef.value,
              name: term?.name ?? c.SalesTermRef.name ?? null,
              dueDays: term?.dueDays ?? null,
            }
          : null,
        address: a
          ? {
              line1: a.Line1 ?? null,
              line2: a.Line2 ?? null,
              city: a.City ?? null,
              region: a.CountrySubDivisionCode ?? null,
              postalCode: a.PostalCode ?? null,
              country: a.Country ?? null,
            }
          : null,
        active: c.Active ?? true,
        deleted: false,
        contacts: cs,
        updatedAt: utc(c.MetaData?.LastUpdatedTime),
      },
    };
  } catch (e) {
    return {
      ok: false,
      error: recordError('customers', raw, `cannot map QuickBooks Customer: ${String(e)}`),
    };
  }
}

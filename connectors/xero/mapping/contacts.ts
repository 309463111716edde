import { normalizeMoney } from '../../../src/domain/money';
import type { CanonicalContact, CanonicalCustomer } from '../../types';
import { xeroTimestamp } from './dates';
import type { Mapped } from './result';
import type { XeroContact } from './schemas';

const blankToNull = (s: string | null | undefined): string | null => (s && s.trim() ? s.trim() : null);

function phoneOf(c: XeroContact): string | null {
  const phones = c.Phones ?? [];
  const p =
    phones.find((x) => x.PhoneType === 'DEFAULT' && x.PhoneNumber) ?? phones.find((x) => x.PhoneNumber);
  if (!p) return null;
  return blankToNull(
    [p.PhoneCountryCode, p.PhoneAreaCode, p.PhoneNumber].filter((x) => x && x.trim()).join(' '),
  );
}

/** Xero payment terms → net days when the rule is "days after the invoice date". */
function termsOf(c: XeroContact): CanonicalCustomer['terms'] {
  const sales = c.PaymentTerms?.Sales;
  if (!sales || sales.Day == null || !sales.Type) return null;
  return {
    externalId: null,
    name: `${sales.Type} ${sales.Day}`,
    dueDays: sales.Type === 'DAYSAFTERBILLDATE' ? sales.Day : null,
  };
}

/** Contact → customer. ARCHIVED → inactive; GDPRREQUEST (erased on request) → deleted. */
export function mapContact(c: XeroContact): Mapped<CanonicalCustomer> {
  const status = c.ContactStatus ?? 'ACTIVE';
  const contacts: CanonicalContact[] = [];
  const mainName = blankToNull([c.FirstName, c.LastName].filter(Boolean).join(' '));
  const mainEmail = blankToNull(c.EmailAddress);
  if (mainName || mainEmail)
    contacts.push({
      externalId: null,
      name: mainName,
      email: mainEmail,
      phone: phoneOf(c),
      role: 'billing',
      isPrimary: true,
    });
  for (const p of c.ContactPersons ?? []) {
    const name = blankToNull([p.FirstName, p.LastName].filter(Boolean).join(' '));
    const email = blankToNull(p.EmailAddress);
    if (!name && !email) continue;
    contacts.push({
      externalId: null,
      name,
      email,
      phone: null,
      role: p.IncludeInEmails ? 'billing' : 'other',
      isPrimary: false,
    });
  }
  const addr = (c.Addresses ?? []).find((a) => a.AddressType === 'POBOX') ?? (c.Addresses ?? [])[0];
  const address =
    addr && (addr.AddressLine1 || addr.City || addr.PostalCode || addr.Country)
      ? {
          line1: blankToNull(addr.AddressLine1),
          line2: blankToNull(addr.AddressLine2),
          city: blankToNull(addr.City),
          region: blankToNull(addr.Region),
          postalCode: blankToNull(addr.PostalCode),
          country: blankToNull(addr.Country),
        }
      : null;
  const outstanding = c.Balances?.AccountsReceivable?.Outstanding;
  return {
    kind: 'record',
    value: {
      externalId: c.ContactID,
      parentExternalId: null,
      name: c.Name,
      email: mainEmail ?? contacts.find((x) => x.email)?.email ?? null,
      phone: phoneOf(c),
      currency: blankToNull(c.DefaultCurrency),
      balance: outstanding == null ? null : normalizeMoney(outstanding),
      terms: termsOf(c),
      address,
      active: status === 'ACTIVE',
      deleted: status === 'GDPRREQUEST',
      contacts,
      updatedAt: c.UpdatedDateUTC ? xeroTimestamp(c.UpdatedDateUTC) : null,
    },
  };
}

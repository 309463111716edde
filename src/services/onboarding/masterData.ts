/** The master-data check of a new customer, read from the database (see domain/onboarding/masterData). */
import { eq } from 'drizzle-orm';
import { contacts, customers } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { masterDataGaps, type MasterDataGap } from '../../domain/onboarding/masterData';

export async function masterDataGapsOf(scope: OrgScope, customerId: string): Promise<MasterDataGap[]> {
  const customer = await scope.findById(customers, customerId);
  if (!customer) return [];
  const people = await scope.select(contacts, eq(contacts.customerId, customerId));
  return masterDataGaps({
    email: customer.email,
    phone: customer.phone,
    terms: customer.terms ?? null,
    address: customer.address ?? null,
    contacts: people.map((p) => ({
      email: p.email,
      phone: p.phone,
      emailStatus: p.emailStatus,
      erased: p.erasedAt !== null,
    })),
  });
}

/**
 * A customer's postal address as letters need it. Complete enough to post to: a street, a town,
 * and a postcode or a country (the master-data check and the planner's SQL use the same rule).
 */
export interface PostalAddress {
  line1: string | null;
  line2?: string | null;
  city: string | null;
  region?: string | null;
  postalCode: string | null;
  country: string | null;
}

const present = (s: string | null | undefined): s is string => typeof s === 'string' && s.trim() !== '';

export function isCompletePostalAddress(a: PostalAddress | null): boolean {
  return !!a && present(a.line1) && present(a.city) && (present(a.postalCode) || present(a.country));
}

/** The address as lines for an envelope ("10 High St", "Leeds LS1 4AP", "GB"); [] if incomplete. */
export function postalLines(a: PostalAddress | null): string[] {
  if (!a || !isCompletePostalAddress(a)) return [];
  const town = [a.city, a.region, a.postalCode].filter(present).map((s) => s.trim());
  return [a.line1, a.line2, town.join(' '), a.country].filter(present).map((s) => s.trim());
}

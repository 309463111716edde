/** Display helpers for views: money with the currency's minor units and grouping, platform names. */
const cache = new Map<string, Intl.NumberFormat>();

export function displayMoney(amount: string | null | undefined, currency: string): string {
  if (amount === null || amount === undefined) return '';
  const key = currency.toUpperCase();
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency: key });
    cache.set(key, f);
  }
  // a decimal string is formatted exactly (no float rounding)
  return f.format(amount as unknown as number);
}

export const platformName = (p: string) =>
  p === 'quickbooks' ? 'QuickBooks Online' : p === 'xero' ? 'Xero' : p;

import type { Request } from 'express';
import type { AppContext } from '../../../app/context';
import type { Actor } from '../../../services/audit';
import { findOrganization, type Organization } from '../../../services/organizations';

export const actorOf = (req: Request): Actor => ({ type: 'user', id: req.user?.id ?? null });

export const currentOrg = (app: AppContext, req: Request): Promise<Organization> =>
  findOrganization(app.db, req.org!.id);

/** A posted form field as a trimmed string ('' when absent). */
export function field(body: unknown, name: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof v === 'string') return v.trim();
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0].trim();
  return '';
}

/** Every value of a repeated field (checkboxes). */
export function fields(body: unknown, name: string): string[] {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** Indexed rows `prefix[<i>][<name>]` of a plain form, in index order. */
export function indexedRows(body: unknown, prefix: string): Record<string, string>[] {
  const re = new RegExp(`^${prefix}\\[(\\d{1,3})\\]\\[([A-Za-z]+)\\]$`);
  const rows = new Map<number, Record<string, string>>();
  for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    const m = re.exec(k);
    if (!m || typeof v !== 'string') continue;
    const row = rows.get(Number(m[1])) ?? {};
    row[m[2]!] = v.trim();
    rows.set(Number(m[1]), row);
  }
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
}

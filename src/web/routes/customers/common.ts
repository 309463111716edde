import type { Request } from 'express';
import { isUuid } from '../../../db/scope';
import type { Actor } from '../../../services/audit';
import { NotFoundError } from '../../../services/errors';

export const actorOf = (req: Request): Actor => ({ type: 'user', id: req.user?.id ?? null });

/** A path id: a UUID, else 404 (never a database error). */
export function pathId(req: Request, name: string, what: string): string {
  const v = req.params[name];
  if (typeof v !== 'string' || !isUuid(v)) throw new NotFoundError(what);
  return v;
}

/** A posted form field as a trimmed string ('' when absent). */
export function field(body: unknown, name: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof v === 'string') return v.trim();
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0].trim();
  return '';
}

/** Every value of a repeated field (checkboxes), trimmed, blanks dropped. */
export function fields(body: unknown, name: string): string[] {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
  return list
    .filter((x): x is string => typeof x === 'string')
    .map((x) => x.trim())
    .filter(Boolean);
}

import { z } from 'zod';
import { HttpError } from '../../middleware/errors';

export const listQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1, 'limit must be at least 1')
    .max(500, 'limit must be at most 500')
    .default(100),
  cursor: z.string().max(200).optional(),
});

/** Opaque cursor: the last id of the previous page (keyset pagination, stable under inserts). */
export function decodeCursor(cursor: string | undefined): string | null {
  if (!cursor) return null;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new HttpError(400, 'invalid_request', 'cursor is not valid');
  return id;
}

export function page<T extends { id: string }>(
  rows: T[],
  limit: number,
): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit);
  const more = rows.length > limit;
  return {
    data,
    nextCursor: more ? Buffer.from(data[data.length - 1]!.id, 'utf8').toString('base64url') : null,
  };
}

import type { Request } from 'express';
import type { AppContext } from '../../../app/context';
import type { Db } from '../../../db/client';
import { localDateOf } from '../../../domain/calendar';
import { findOrganization } from '../../../services/organizations';

/**
 * Today in the API caller's firm's time zone: what "overdue" and "days overdue" count from, as on
 * the firm's own pages (a UTC date is a day off for much of the world for part of every day).
 */
export async function firmToday(app: AppContext, req: Request): Promise<string> {
  const org = await findOrganization(app.db as Db, req.apiAuth!.organizationId);
  return localDateOf(app.now(), org.timezone);
}

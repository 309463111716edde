import { sql } from 'drizzle-orm';
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../../app/context';
import { queryRows } from '../../../db/client';
import { isUuid } from '../../../db/scope';
import { HttpError } from '../../middleware/errors';
import { decodeCursor, listQuery, page } from './pagination';

const messageQuery = listQuery.extend({ customerId: z.string().optional() });

interface MessageRow {
  id: string;
  customerId: string;
  invoiceIds: string[];
  sequenceKey: string;
  sequenceVersion: number;
  stepKey: string;
  channel: string;
  status: string;
  to: string | null;
  subject: string | null;
  sendAt: string;
  sentAt: string | null;
  live: boolean;
}

const iso = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** Reminder messages (newest ids last: keyset pages); the status follows the e-mail's delivery. */
export function messagesApi(app: AppContext): Router {
  const r = Router();
  r.get('/messages', async (req, res) => {
    const q = messageQuery.parse(req.query);
    if (q.customerId && !isUuid(q.customerId))
      throw new HttpError(400, 'invalid_request', 'customerId is not a valid id');
    const after = decodeCursor(q.cursor);
    const rows = await queryRows<MessageRow>(
      app.db,
      sql`select m.id, m.customer_id as "customerId", m.invoice_ids as "invoiceIds",
                 m.sequence_key as "sequenceKey", m.sequence_version as "sequenceVersion",
                 m.step_key as "stepKey", m.channel,
                 case when e.status in ('sent', 'failed', 'bounced') then e.status
                      else m.status end as status,
                 m.to_address as "to", m.subject, ${iso('m.send_at')} as "sendAt",
                 case when coalesce(e.sent_at, m.sent_at) is null then null
                      else ${iso('coalesce(e.sent_at, m.sent_at)')} end as "sentAt",
                 m.live
            from messages m
            left join emails e on e.id = m.email_id
           where m.organization_id = ${req.apiAuth!.organizationId}
             ${q.customerId ? sql`and m.customer_id = ${q.customerId}` : sql``}
             ${after ? sql`and m.id > ${after}` : sql``}
           order by m.id
           limit ${q.limit + 1}`,
    );
    res.json(page(rows, q.limit));
  });
  return r;
}

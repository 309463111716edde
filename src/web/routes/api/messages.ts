import { eq, sql } from 'drizzle-orm';
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../../app/context';
import { queryRows } from '../../../db/client';
import { emails, messages } from '../../../db/schema';
import { isUuid } from '../../../db/scope';
import { recordHardBounce } from '../../../services/delivery/bounce';
import { ConflictError, NotFoundError } from '../../../services/errors';
import { revealPortalLink } from '../../../services/portal/tokens';
import { HttpError } from '../../middleware/errors';
import { decodeCursor, listQuery, page } from './pagination';

const messageQuery = listQuery.extend({ customerId: z.string().optional() });
const bounceBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });

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
  error: string | null;
  portalTokenId: string | null;
  portalUrl: string | null;
}

const iso = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/**
 * Reminder messages (newest ids last: keyset pages); the status follows the e-mail's delivery.
 * `portalUrl` is the message's own portal link, unsealed for the firm; null once revoked.
 */
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
                 case when e.id is not null and e.status <> 'sent' then null
                      when coalesce(e.sent_at, m.sent_at) is null then null
                      else ${iso('coalesce(e.sent_at, m.sent_at)')} end as "sentAt",
                 m.live, coalesce(m.error, case when e.status in ('failed', 'bounced') then e.error end) as error,
                 m.portal_token_id as "portalTokenId", m.portal_url as "portalUrl"
            from messages m
            left join emails e on e.id = m.email_id
           where m.organization_id = ${req.apiAuth!.organizationId}
             ${q.customerId ? sql`and m.customer_id = ${q.customerId}` : sql``}
             ${after ? sql`and m.id > ${after}` : sql``}
           order by m.id
           limit ${q.limit + 1}`,
    );
    const scope = req.apiAuth!.scope;
    const out = [];
    for (const { portalTokenId, ...row } of rows) {
      const portalUrl = portalTokenId ? await revealPortalLink(app, scope, portalTokenId) : row.portalUrl;
      out.push({ ...row, portalUrl });
    }
    res.json(page(out, q.limit));
  });

  /** A bounce reported later (an ESP's webhook relayed by the firm, or a clerk). */
  r.post('/messages/:id/bounce', async (req, res) => {
    const body = bounceBody.parse(req.body ?? {});
    const scope = req.apiAuth!.scope;
    const msg = await scope.findById(messages, req.params.id as string);
    if (!msg) throw new NotFoundError('message');
    if (!msg.emailId) throw new ConflictError('this message was not sent by e-mail');
    const [email] = await app.db
      .select({ status: emails.status })
      .from(emails)
      .where(eq(emails.id, msg.emailId));
    if (email?.status === 'queued' || email?.status === 'sending')
      throw new ConflictError('this e-mail has not been sent yet');
    const changed = await recordHardBounce(app, {
      emailId: msg.emailId,
      reason: body.reason ?? 'reported as bounced',
      source: 'report',
      actor: { type: 'api_token', id: req.apiAuth!.tokenId },
    });
    const after = await scope.findById(messages, msg.id);
    res.status(200).json({ id: msg.id, status: after!.status, bouncedAt: after!.bouncedAt, changed });
  });
  return r;
}

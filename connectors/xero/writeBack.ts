/**
 * Write-back to Xero: History & Notes on invoices, payments against invoices, invoice PDFs.
 * Every write is idempotent: a derived `Idempotency-Key` per part, and notes already in the
 * invoice's History are not written again.
 */
import crypto from 'node:crypto';

import { z } from 'zod';

import { permanentError, validationError } from '../errors';
import type { ConnectorContext, CreatePaymentRequest, WriteNoteRequest } from '../types';
import type { XeroApiClient } from './client';
import { historySchema } from './mapping/schemas';
import { XERO_HISTORY_DETAILS_MAX } from './platform';

/** Xero allows 128 characters; a hash of the caller's key and the part keeps it short and stable. */
export function deriveIdempotencyKey(key: string, part: string | number): string {
  return 'duely-' + crypto.createHash('sha256').update(`${key}\u0000${part}`).digest('hex').slice(0, 48);
}

/**
 * Split a note into History `Details` of at most `max` characters, on word boundaries,
 * numbered "(1/2) " when there is more than one part. A word longer than a part is cut.
 */
export function splitNote(text: string, max = XERO_HISTORY_DETAILS_MAX): string[] {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean ? [clean] : [];
  let n = 2;
  for (;;) {
    const prefixLen = `(${n}/${n}) `.length;
    const chunks = chunkWords(clean, max - prefixLen);
    if (String(chunks.length).length <= String(n).length) {
      return chunks.map((c, i) => `(${i + 1}/${chunks.length}) ${c}`);
    }
    n = chunks.length;
  }
}

function chunkWords(text: string, size: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (let word of text.split(' ')) {
    while (word.length > size) {
      if (cur) {
        out.push(cur);
        cur = '';
      }
      out.push(word.slice(0, size));
      word = word.slice(size);
    }
    if (!word) continue;
    if (!cur) cur = word;
    else if (cur.length + 1 + word.length <= size) cur += ' ' + word;
    else {
      out.push(cur);
      cur = word;
    }
  }
  if (cur) out.push(cur);
  return out;
}

export async function writeXeroNote(
  client: XeroApiClient,
  ctx: ConnectorContext,
  req: WriteNoteRequest,
): Promise<{ externalId: string | null }> {
  const parts = splitNote(req.text);
  if (parts.length === 0) throw validationError('empty note', { platform: 'xero' });
  const path = `/Invoices/${encodeURIComponent(req.invoiceExternalId)}/History`;
  // read first: parts written by an earlier attempt (whose response was lost) are skipped
  const existing = await client.request(ctx, { method: 'GET', path, urgent: true });
  const history = historySchema.safeParse(existing.body);
  if (!history.success) throw validationError('Xero History: unexpected shape', { platform: 'xero' });
  const present = new Set((history.data.HistoryRecords ?? []).map((r) => r.Details ?? ''));
  for (const [i, details] of parts.entries()) {
    if (present.has(details)) continue;
    await client.request(ctx, {
      method: 'PUT',
      path,
      body: { HistoryRecords: [{ Details: details }] },
      idempotencyKey: deriveIdempotencyKey(req.idempotencyKey, `note:${i}`),
      urgent: true,
    });
  }
  return { externalId: null };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const paymentsResponse = z.object({
  Payments: z.array(z.object({ PaymentID: z.string(), HasValidationErrors: z.boolean().nullish() })).min(1),
});

/** One Xero payment per allocated invoice (Xero payments are per invoice). */
export async function createXeroPayment(
  client: XeroApiClient,
  ctx: ConnectorContext,
  req: CreatePaymentRequest,
): Promise<{ externalId: string }> {
  if (!req.accountRef)
    throw validationError(
      'Xero payments need the bank account (code or AccountID) chosen by the firm in Settings → Payments',
      {
        platform: 'xero',
        code: 'account_required',
      },
    );
  if (req.allocations.length === 0)
    throw validationError('payment without allocations', { platform: 'xero' });
  const account = GUID.test(req.accountRef) ? { AccountID: req.accountRef } : { Code: req.accountRef };
  const ids: string[] = [];
  for (const a of req.allocations) {
    const res = await client.request(ctx, {
      method: 'PUT',
      path: '/Payments',
      body: {
        Payments: [
          {
            Invoice: { InvoiceID: a.invoiceExternalId },
            Account: account,
            // the spec types Amount as a JSON number; the decimal text is written as is
            Amount: Number(a.amount),
            Date: req.date,
            ...(req.reference ? { Reference: req.reference } : {}),
          },
        ],
      },
      idempotencyKey: deriveIdempotencyKey(req.idempotencyKey, `payment:${a.invoiceExternalId}`),
      urgent: true,
    });
    const parsed = paymentsResponse.safeParse(res.body);
    if (!parsed.success)
      throw permanentError('Xero PUT /Payments: unexpected response', { platform: 'xero' });
    ids.push(parsed.data.Payments[0]!.PaymentID);
  }
  return { externalId: ids.join(',') };
}

export async function getXeroInvoicePdf(
  client: XeroApiClient,
  ctx: ConnectorContext,
  invoiceId: string,
): Promise<Buffer> {
  const res = await client.request<Buffer>(ctx, {
    method: 'GET',
    path: `/Invoices/${encodeURIComponent(invoiceId)}`,
    accept: 'pdf',
    urgent: true,
  });
  return res.body;
}

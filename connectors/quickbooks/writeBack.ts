/**
 * Write-back to QuickBooks.
 *
 * Notes go into the invoice's `PrivateNote` (the "memo on statement" stays the firm's): one
 * dated line per note, tagged with a short hash of the idempotency key, appended by a sparse
 * update carrying the current `SyncToken`. A stale token (5010) → re-read and retry. A line
 * whose tag is already there is not written again. Within the 4000-char limit, the oldest
 * Duely lines are dropped first; the firm's own text is never touched.
 * (Chosen over an Attachable note: the clerk sees PrivateNote on the invoice itself, and one
 * sparse update is one API call.)
 */
import crypto from 'node:crypto';
import { ConnectorError, isConnectorError, validationError } from '../errors';
import type { CreatePaymentRequest, WriteNoteRequest } from '../types';
import type { QuickBooksApi } from './client';
import { QUICKBOOKS_LIMITS } from './platform';

export const noteTag = (idempotencyKey: string): string =>
  crypto.createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 10);

const DUELY_LINE = /^Duely \d{4}-\d{2}-\d{2} \[[0-9a-f]{10}\]: /;
const MAX_STALE_RETRIES = 5;

export function noteLine(date: string, tag: string, text: string): string {
  return `Duely ${date} [${tag}]: ${text.replace(/\s*\n\s*/g, ' ').trim()}`;
}

/**
 * Append `line` to `existing` within `max` chars: drop the oldest Duely lines first, then shorten
 * the new line's text; never cut the firm's own lines. Pure.
 */
export function appendNote(
  existing: string | null | undefined,
  line: string,
  max = QUICKBOOKS_LIMITS.privateNoteMaxChars,
): string {
  const lines = (existing ?? '').split('\n');
  if (lines.length === 1 && lines[0] === '') lines.pop();
  const fits = () => [...lines, line].join('\n').length <= max;
  while (!fits()) {
    const oldest = lines.findIndex((l) => DUELY_LINE.test(l));
    if (oldest < 0) break;
    lines.splice(oldest, 1);
  }
  if (!fits()) {
    const room = max - (lines.length > 0 ? lines.join('\n').length + 1 : 0);
    const head = DUELY_LINE.exec(line)?.[0] ?? '';
    if (room < head.length + 8) {
      throw validationError(
        "the invoice PrivateNote is full of the firm's own text; nothing can be appended",
        {
          platform: 'quickbooks',
        },
      );
    }
    line = line.slice(0, room - 1) + '…';
  }
  return [...lines, line].join('\n');
}

interface RawInvoiceHead {
  Id: string;
  SyncToken: string;
  PrivateNote?: string;
}

function invoiceHead(body: unknown, what: string): RawInvoiceHead {
  const inv = (body as { Invoice?: unknown } | null)?.Invoice ?? body;
  const i = inv as Partial<RawInvoiceHead> | null;
  if (!i || typeof i.Id !== 'string' || typeof i.SyncToken !== 'string') {
    throw new ConnectorError('permanent', `${what}: answer is not an Invoice`, { platform: 'quickbooks' });
  }
  return {
    Id: i.Id,
    SyncToken: i.SyncToken,
    PrivateNote: typeof i.PrivateNote === 'string' ? i.PrivateNote : undefined,
  };
}

export async function writeInvoiceNote(
  api: QuickBooksApi,
  req: WriteNoteRequest,
  today: string = new Date().toISOString().slice(0, 10),
): Promise<{ externalId: string | null }> {
  const tag = noteTag(req.idempotencyKey);
  for (let attempt = 0; ; attempt++) {
    const current = invoiceHead(await api.readInvoice(req.invoiceExternalId), 'read Invoice');
    if ((current.PrivateNote ?? '').includes(`[${tag}]`)) return { externalId: current.Id };
    const PrivateNote = appendNote(current.PrivateNote, noteLine(today, tag, req.text));
    try {
      // a network retry of this very update keeps its requestid; a retry after a stale token does not
      await api.updateInvoice(
        { Id: current.Id, SyncToken: current.SyncToken, PrivateNote },
        `${req.idempotencyKey}:${current.SyncToken}`,
      );
      return { externalId: current.Id };
    } catch (e) {
      if (isConnectorError(e) && e.kind === 'stale_object' && attempt < MAX_STALE_RETRIES) continue;
      throw e;
    }
  }
}

/** JSON number for a decimal string, for serialisation only (shortest round-trip keeps the digits). */
const jsonAmount = (m: string): number => {
  const n = Number(m);
  if (!Number.isFinite(n)) throw validationError(`not an amount: ${m}`, { platform: 'quickbooks' });
  return n;
};

export function paymentBody(req: CreatePaymentRequest): Record<string, unknown> {
  if (req.allocations.length === 0) {
    throw validationError('a QuickBooks payment needs at least one invoice', { platform: 'quickbooks' });
  }
  return {
    CustomerRef: { value: req.customerExternalId },
    TxnDate: req.date,
    CurrencyRef: { value: req.currency },
    TotalAmt: jsonAmount(req.amount),
    ...(req.reference ? { PaymentRefNum: req.reference.slice(0, 21) } : {}),
    ...(req.accountRef ? { DepositToAccountRef: { value: req.accountRef } } : {}),
    PrivateNote: `Duely payment [${noteTag(req.idempotencyKey)}]`,
    Line: req.allocations.map((a) => ({
      Amount: jsonAmount(a.amount),
      LinkedTxn: [{ TxnId: a.invoiceExternalId, TxnType: 'Invoice' }],
    })),
  };
}

export async function createQuickBooksPayment(
  api: QuickBooksApi,
  req: CreatePaymentRequest,
): Promise<{ externalId: string }> {
  const body = await api.createPayment(paymentBody(req), req.idempotencyKey);
  const p = ((body as { Payment?: unknown } | null)?.Payment ?? body) as { Id?: unknown } | null;
  if (!p || typeof p.Id !== 'string') {
    throw new ConnectorError('permanent', 'create Payment: answer has no Payment Id', {
      platform: 'quickbooks',
    });
  }
  return { externalId: p.Id };
}

export async function fetchInvoicePdf(api: QuickBooksApi, invoiceExternalId: string): Promise<Buffer> {
  const pdf = await api.invoicePdf(invoiceExternalId);
  if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw new ConnectorError('permanent', `pdf Invoice ${invoiceExternalId}: answer is not a PDF`, {
      platform: 'quickbooks',
    });
  }
  return pdf;
}

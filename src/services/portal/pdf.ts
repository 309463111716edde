/**
 * Invoice PDFs for the portal: fetched from QuickBooks or Xero through the connector once per
 * version of the invoice on the platform and kept in `invoice_pdfs`; a newer version (an edit in
 * the books, seen by sync) fetches again. Concurrent requests for the same version share one
 * fetch. A connection that needs reconnecting or a platform error is an answer, not a crash.
 */
import { and, eq } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { ConnectorError } from '../../../connectors/errors';
import { connections, invoicePdfs } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { getLogger } from '../../logging/logger';
import { connectorContext } from '../connections/context';
import { findCustomerInvoice } from './invoices';

const log = getLogger('portal.pdf');
const MAX_PDF_BYTES = 20 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;

export type InvoicePdf =
  | { ok: true; content: Buffer; filename: string; fromCache: boolean }
  /** `reconnect`: the firm must reconnect its books; `unavailable`: the platform failed or is busy. */
  | { ok: false; reason: 'reconnect' | 'unavailable'; number: string | null };

const inFlight = new Map<string, Promise<Buffer>>();

/** The version a cached copy belongs to: the platform's last update time and concurrency token. */
export function invoiceVersion(inv: { platformUpdatedAt: Date | null; syncToken: string | null }): string {
  return `${inv.platformUpdatedAt?.toISOString() ?? '-'}|${inv.syncToken ?? '-'}`;
}

export function pdfFilename(number: string | null, id: string): string {
  const safe = (number ?? '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return `invoice-${safe || id.slice(0, 8)}.pdf`;
}

export async function invoicePdf(
  app: AppContext,
  scope: OrgScope,
  customerId: string,
  invoiceId: string,
): Promise<InvoicePdf> {
  const inv = await findCustomerInvoice(scope, customerId, invoiceId);
  const version = invoiceVersion(inv);
  const filename = pdfFilename(inv.number, inv.id);
  const [cached] = await scope.db
    .select({ version: invoicePdfs.invoiceVersion, content: invoicePdfs.content })
    .from(invoicePdfs)
    .where(and(eq(invoicePdfs.invoiceId, inv.id), eq(invoicePdfs.organizationId, scope.organizationId)));
  if (cached && cached.version === version)
    return { ok: true, content: cached.content, filename, fromCache: true };

  const [conn] = await scope.select(connections, eq(connections.id, inv.connectionId));
  if (!conn || conn.status !== 'connected' || !app.connectors.has(conn.platform))
    return { ok: false, reason: 'reconnect', number: inv.number };

  const key = `${inv.id}@${version}`;
  let fetch = inFlight.get(key);
  if (!fetch) {
    fetch = fetchAndStore(app, scope, conn, inv, version).finally(() => inFlight.delete(key));
    inFlight.set(key, fetch);
  }
  try {
    return { ok: true, content: await fetch, filename, fromCache: false };
  } catch (e) {
    const kind = e instanceof ConnectorError ? e.kind : 'unexpected';
    log.warn(
      {
        invoiceId: inv.id,
        connectionId: conn.id,
        errorKind: kind,
        err: e instanceof ConnectorError ? undefined : e,
      },
      'invoice PDF not available from the platform',
    );
    return {
      ok: false,
      reason: kind === 'needs_reconnect' ? 'reconnect' : 'unavailable',
      number: inv.number,
    };
  }
}

async function fetchAndStore(
  app: AppContext,
  scope: OrgScope,
  conn: typeof connections.$inferSelect,
  inv: { id: string; externalId: string },
  version: string,
): Promise<Buffer> {
  const connector = app.connectors.get(conn.platform);
  const ctx = connectorContext(app, conn, AbortSignal.timeout(FETCH_TIMEOUT_MS));
  const content = await connector.getInvoicePdf(ctx, inv.externalId);
  if (content.length > MAX_PDF_BYTES || content.subarray(0, 5).toString('latin1') !== '%PDF-')
    throw new ConnectorError('permanent', 'the platform did not answer with a PDF document');
  await scope.db
    .insert(invoicePdfs)
    .values({
      invoiceId: inv.id,
      organizationId: scope.organizationId,
      invoiceVersion: version,
      content,
      fetchedAt: app.now(),
    })
    .onConflictDoUpdate({
      target: invoicePdfs.invoiceId,
      set: { invoiceVersion: version, content, fetchedAt: app.now() },
    });
  return content;
}

/**
 * The open-invoice list as the portal serves it: the data and its rows, encoded once. The list
 * is the portal's busiest page and a customer may have hundreds of open invoices; reading them
 * back, building the rows and encoding ~130 kB of HTML for every request took most of the
 * request's CPU. A request now asks PostgreSQL only for the list's fingerprint
 * (`openInvoicesVersion`) and reuses what was built for it until an invoice changes. Entries are
 * keyed by firm, customer, date and payment mode, and the whole cache is bounded in bytes.
 */
import { listOpenInvoices, openInvoicesVersion, type OpenInvoices } from '../../../services/portal/invoices';
import type { PortalContext } from '../../middleware/portalAuth';
import { openInvoiceRowsHtml, type PayTarget } from './invoiceRows';

export interface OpenInvoicesPage {
  list: OpenInvoices;
  /** The table rows, UTF-8. */
  rows: Buffer;
}

interface Entry extends OpenInvoicesPage {
  version: string;
}

export class OpenInvoicesPages {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  async get(
    portal: Pick<PortalContext, 'scope' | 'organizationId' | 'customerId' | 'today'>,
    online: boolean,
    payTarget: PayTarget,
  ): Promise<OpenInvoicesPage> {
    const key = `${portal.organizationId}|${portal.customerId}|${portal.today}|${online ? 'online' : 'offline'}`;
    const version = await openInvoicesVersion(portal.scope, portal.customerId);
    const hit = this.entries.get(key);
    if (hit && hit.version === version) {
      // most recently used last: the oldest entries are the first to go
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const list = await listOpenInvoices(portal.scope, portal.customerId, portal.today);
    // built from rows read after the fingerprint: if they changed in between, the next
    // request's fingerprint differs and the list is read again
    const entry: Entry = { version, list, rows: Buffer.from(openInvoiceRowsHtml(list.invoices, payTarget)) };
    this.store(key, entry);
    return entry;
  }

  /** Bytes held (rows only; the list data is of the same order). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private store(key: string, entry: Entry): void {
    this.drop(key);
    const bytes = entry.rows.length * 2;
    if (bytes > this.maxBytes) return;
    for (const [oldest] of this.entries) {
      if (this.bytes + bytes <= this.maxBytes) break;
      this.drop(oldest);
    }
    this.entries.set(key, entry);
    this.bytes += bytes;
  }

  private drop(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.bytes -= old.rows.length * 2;
  }
}

/**
 * Full and incremental sync for QuickBooks, streamed page by page as SyncBatches.
 *
 * Full: `SELECT * FROM <Entity> ORDERBY Id STARTPOSITION n MAXRESULTS 1000` for Term (read into
 * the terms table, no batch), Customer, Invoice, Payment, CreditMemo; an entity ends on a short
 * or empty page (`"QueryResponse": {}`). No COUNT queries: calls stay at the floor.
 * Every batch's cursor says where to resume; the last one switches to incremental from the time
 * the full sync began.
 *
 * Incremental: one CDC call since the cursor when it is under 30 days old, else a full sync.
 * CDC has no upper bound on its window, so when an entity reaches the 1000-object cap, the
 * window for that entity is re-read by query (`WHERE MetaData.LastUpdatedTime >= since`, paged
 * by Id); the deletions CDC did return are kept. The cursor moves to the CDC request time
 * (minus a safety overlap) only with the run's last batch.
 */
import { ConnectorError } from '../errors';
import type { ConnectorContext, EntityKind, EntityRef, SyncBatch, SyncRequest } from '../types';
import type { QuickBooksApi } from './client';
import {
  readCursor,
  termsToMap,
  termsToRecord,
  type FullCursor,
  type IncrementalCursor,
  type QuickBooksCursor,
  type TermsRecord,
} from './cursor';
import { isDeletedRaw, mapAll, type Mapped, type MappingContext } from './mapping/common';
import { mapCreditMemo } from './mapping/creditMemos';
import { mapCustomer } from './mapping/customers';
import { mapInvoice } from './mapping/invoices';
import { mapPayment } from './mapping/payments';
import { addTerms } from './mapping/terms';
import { QUICKBOOKS_CDC_ENTITIES, QUICKBOOKS_LIMITS, type QuickBooksSyncEntity } from './platform';

type RecordEntity = Exclude<QuickBooksSyncEntity, 'Term'>;

const PAGE = QUICKBOOKS_LIMITS.maxResults;
const DAY_MS = 86_400_000;
/** Cursor older than this → full sync (CDC answers 30 days; keep an hour's margin). */
export const CDC_MAX_AGE_MS = QUICKBOOKS_LIMITS.cdcMaxAgeDays * DAY_MS - 3_600_000;
/** The next window starts this long before the CDC request, for clock skew and late commits. */
export const CURSOR_OVERLAP_MS = 2 * 60_000;

const RECORD_ENTITIES: readonly RecordEntity[] = ['Customer', 'Invoice', 'Payment', 'CreditMemo'];

const KIND: Record<RecordEntity, EntityKind> = {
  Customer: 'customers',
  Invoice: 'invoices',
  Payment: 'payments',
  CreditMemo: 'creditNotes',
};

const KIND_TO_ENTITY: Record<EntityKind, RecordEntity> = {
  customers: 'Customer',
  invoices: 'Invoice',
  payments: 'Payment',
  creditNotes: 'CreditMemo',
};

export interface SyncDeps {
  api: QuickBooksApi;
  ctx: ConnectorContext;
  now?: () => Date;
  homeCurrency?: string;
}

/** The list under `QueryResponse` for an entity, whatever the casing node-quickbooks asked with. */
export function rowsOf(qr: Record<string, unknown>, entity: string): unknown[] {
  const key = Object.keys(qr).find((k) => k.toLowerCase() === entity.toLowerCase());
  const rows = key ? qr[key] : undefined;
  return Array.isArray(rows) ? (rows as unknown[]) : [];
}

export function batchOf(
  entity: RecordEntity,
  raws: readonly unknown[],
  mctx: MappingContext,
  cursor: unknown,
  progress?: SyncBatch['progress'],
): SyncBatch {
  const kind = KIND[entity];
  const batch: SyncBatch = { entity: kind, errors: [], cursor, ...(progress ? { progress } : {}) };
  const run = <T>(fn: (raw: unknown, c: MappingContext) => Mapped<T>) => mapAll(raws, (r) => fn(r, mctx));
  switch (entity) {
    case 'Customer': {
      const m = run(mapCustomer);
      batch.customers = m.records;
      batch.errors = m.errors;
      break;
    }
    case 'Invoice': {
      const m = run(mapInvoice);
      batch.invoices = m.records;
      batch.errors = m.errors;
      break;
    }
    case 'Payment': {
      const m = run(mapPayment);
      batch.payments = m.records;
      batch.errors = m.errors;
      break;
    }
    case 'CreditMemo': {
      const m = run(mapCreditMemo);
      batch.creditNotes = m.records;
      batch.errors = m.errors;
      break;
    }
  }
  return batch;
}

const pageTail = (where: string, start: number) =>
  `${where ? `WHERE ${where} ` : ''}ORDERBY Id STARTPOSITION ${start} MAXRESULTS ${PAGE}`;

async function readTerms(api: QuickBooksApi): Promise<{ terms: TermsRecord; errors: SyncBatch['errors'] }> {
  const map = new Map<string, { name: string; dueDays: number | null }>();
  const errors: SyncBatch['errors'] = [];
  for (let start = 1; ; start += PAGE) {
    const rows = rowsOf(await api.query('Term', pageTail('', start)), 'Term');
    errors.push(...addTerms(map, rows));
    if (rows.length < PAGE) break;
  }
  return { terms: termsToRecord(map), errors };
}

export async function* syncQuickBooks(deps: SyncDeps, req: SyncRequest): AsyncGenerator<SyncBatch> {
  const now = deps.now ?? (() => new Date());
  const cursor = readCursor(req.cursor);
  if (cursor?.phase === 'full') {
    yield* fullSync(deps, cursor);
    return;
  }
  if (req.mode === 'incremental' && cursor?.phase === 'incremental') {
    const age = now().getTime() - Date.parse(cursor.since);
    if (Number.isFinite(age) && age <= CDC_MAX_AGE_MS) {
      yield* incrementalSync(deps, cursor);
      return;
    }
    deps.ctx.logger.info({ since: cursor.since }, 'QuickBooks cursor older than CDC allows; full sync');
  }
  yield* fullSync(deps, null);
}

async function* fullSync(deps: SyncDeps, resume: FullCursor | null): AsyncGenerator<SyncBatch> {
  const now = deps.now ?? (() => new Date());
  const startedAt = resume?.startedAt ?? now().toISOString();
  const { terms, errors: termErrors } = await readTerms(deps.api);
  const mctx: MappingContext = { homeCurrency: deps.homeCurrency ?? 'USD', terms: termsToMap(terms) };
  let done = resume?.done ?? 0;
  const firstIndex = resume && resume.entity !== 'Term' ? RECORD_ENTITIES.indexOf(resume.entity) : 0;
  let pendingTermErrors = termErrors;

  for (let e = firstIndex; e < RECORD_ENTITIES.length; e++) {
    const entity = RECORD_ENTITIES[e]!;
    let start = resume && e === firstIndex && resume.entity === entity ? resume.startPosition : 1;
    for (;;) {
      const rows = rowsOf(await deps.api.query(entity, pageTail('', start)), entity);
      done += rows.length;
      const last = rows.length < PAGE;
      const nextEntity = RECORD_ENTITIES[e + 1];
      let next: QuickBooksCursor;
      if (!last) {
        next = { v: 1, phase: 'full', entity, startPosition: start + rows.length, startedAt, done, terms };
      } else if (nextEntity) {
        next = { v: 1, phase: 'full', entity: nextEntity, startPosition: 1, startedAt, done, terms };
      } else {
        const since = new Date(Date.parse(startedAt) - CURSOR_OVERLAP_MS).toISOString();
        next = { v: 1, phase: 'incremental', since, terms };
      }
      const batch = batchOf(entity, rows, mctx, next, { done, total: null });
      if (pendingTermErrors.length > 0) {
        batch.errors.unshift(...pendingTermErrors);
        pendingTermErrors = [];
      }
      yield batch;
      if (last) break;
      start += rows.length;
    }
  }
}

interface CdcEnvelope {
  CDCResponse?: { QueryResponse?: Record<string, unknown>[] }[];
}

/** CDC answer → raw rows per entity name. */
export function cdcRows(body: unknown): Map<string, unknown[]> {
  const env = body as CdcEnvelope | null;
  if (!env || !Array.isArray(env.CDCResponse)) {
    throw new ConnectorError('retryable', 'cdc: answer without CDCResponse', { platform: 'quickbooks' });
  }
  const out = new Map<string, unknown[]>();
  for (const resp of env.CDCResponse) {
    for (const qr of resp.QueryResponse ?? []) {
      for (const [key, value] of Object.entries(qr)) {
        if (!Array.isArray(value)) continue;
        out.set(key, [...(out.get(key) ?? []), ...(value as unknown[])]);
      }
    }
  }
  return out;
}

async function* incrementalSync(deps: SyncDeps, cursor: IncrementalCursor): AsyncGenerator<SyncBatch> {
  const now = deps.now ?? (() => new Date());
  const requestedAt = now();
  const since = new Date(cursor.since);
  const rows = cdcRows(await deps.api.cdc([...QUICKBOOKS_CDC_ENTITIES, 'Term'], since));

  const termMap = termsToMap(cursor.terms);
  const termRows = rows.get('Term') ?? [];
  for (const t of termRows) {
    if (isDeletedRaw(t)) termMap.delete(String((t as { Id?: unknown }).Id));
  }
  const termErrors = addTerms(
    termMap,
    termRows.filter((t) => !isDeletedRaw(t)),
  );
  const terms = termsToRecord(termMap);
  const mctx: MappingContext = { homeCurrency: deps.homeCurrency ?? 'USD', terms: termMap };
  const stay: IncrementalCursor = { ...cursor, terms };
  const nextSince = new Date(
    Math.max(since.getTime(), requestedAt.getTime() - CURSOR_OVERLAP_MS),
  ).toISOString();
  const moved: IncrementalCursor = { v: 1, phase: 'incremental', since: nextSince, terms };

  let pending: SyncBatch | null = null;
  let done = 0;
  const emit = function* (b: SyncBatch): Generator<SyncBatch> {
    if (pending) yield pending;
    pending = b;
  };

  for (const entity of RECORD_ENTITIES) {
    const list = rows.get(entity) ?? [];
    if (list.length >= QUICKBOOKS_LIMITS.cdcMaxObjects) {
      deps.ctx.logger.info(
        { entity, since: cursor.since },
        'QuickBooks CDC hit its cap; reading the window by query',
      );
      const deleted = list.filter(isDeletedRaw);
      if (deleted.length > 0) {
        done += deleted.length;
        yield* emit(batchOf(entity, deleted, mctx, stay, { done, total: null }));
      }
      const where = `MetaData.LastUpdatedTime >= '${since.toISOString()}'`;
      for (let start = 1; ; start += PAGE) {
        const page = rowsOf(await deps.api.query(entity, pageTail(where, start)), entity);
        done += page.length;
        if (page.length > 0) yield* emit(batchOf(entity, page, mctx, stay, { done, total: null }));
        if (page.length < PAGE) break;
      }
    } else if (list.length > 0) {
      done += list.length;
      yield* emit(batchOf(entity, list, mctx, stay, { done, total: null }));
    }
  }
  const last: SyncBatch = pending ?? { entity: 'invoices', invoices: [], errors: [], cursor: moved };
  last.cursor = moved;
  last.progress = { done, total: done };
  if (termErrors.length > 0) last.errors.unshift(...termErrors);
  yield last;
}

/** Records named by webhooks, batched per entity with `WHERE Id IN (…)` (≤ 1000 ids a query). */
export async function* fetchQuickBooksRecords(deps: SyncDeps, refs: EntityRef[]): AsyncGenerator<SyncBatch> {
  const byEntity = new Map<EntityKind, string[]>();
  for (const r of refs) {
    const ids = byEntity.get(r.entity) ?? [];
    if (!ids.includes(r.externalId)) ids.push(r.externalId);
    byEntity.set(r.entity, ids);
  }
  let terms = new Map<string, { name: string; dueDays: number | null }>();
  if (byEntity.has('customers')) terms = termsToMap((await readTerms(deps.api)).terms);
  const mctx: MappingContext = { homeCurrency: deps.homeCurrency ?? 'USD', terms };

  for (const kind of ['customers', 'invoices', 'payments', 'creditNotes'] as const) {
    const ids = byEntity.get(kind);
    if (!ids) continue;
    const entity = KIND_TO_ENTITY[kind];
    for (let i = 0; i < ids.length; i += QUICKBOOKS_LIMITS.maxIdsPerQuery) {
      const chunk = ids.slice(i, i + QUICKBOOKS_LIMITS.maxIdsPerQuery);
      const inList = chunk.map((id) => `'${id.replace(/'/g, "\\'")}'`).join(',');
      const found = rowsOf(await deps.api.query(entity, pageTail(`Id IN (${inList})`, 1)), entity);
      const seen = new Set(found.map((r) => String((r as { Id?: unknown }).Id)));
      // a record the platform no longer returns was deleted (QuickBooks queries omit deleted rows)
      const gone = chunk.filter((id) => !seen.has(id)).map((Id) => ({ Id, status: 'Deleted' }));
      yield batchOf(entity, [...found, ...gone], mctx, null);
    }
  }
}

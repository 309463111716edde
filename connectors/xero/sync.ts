/**
 * Full and incremental sync, page by page, with a cursor that resumes after a crash.
 *
 * Full: every collection by `page` with `pageSize=1000`. Incremental: the same, with
 * `If-Modified-Since` set to the collection's watermark. A collection's new watermark is the
 * server time (`Date` header) of the first page of its pass, less a small overlap, so nothing
 * changed while the pass ran is missed; it is committed only when the pass reaches its end.
 */
import { z } from 'zod';

import { validationError } from '../errors';
import type { ConnectorContext, EntityRef, SyncBatch, SyncRequest } from '../types';
import type { XeroApiClient } from './client';
import { COLLECTIONS, batchFields, type XeroCollection, type XeroCollectionSpec } from './entities';
import { ifModifiedSince } from './mapping/dates';
import { paginationSchema } from './mapping/schemas';
import { XERO_IDS_PER_CALL, XERO_MAX_PAGE_SIZE } from './platform';

/** Overlap subtracted from the server time of a pass so requests in flight are covered. */
const WATERMARK_OVERLAP_MS = 5_000;

const collectionKey = z.enum([
  'contacts',
  'invoices',
  'creditNotes',
  'payments',
  'overpayments',
  'prepayments',
]);

export const xeroCursorSchema = z.object({
  v: z.literal(1),
  /** Committed watermarks: the `If-Modified-Since` of each collection's next incremental pass. */
  since: z.partialRecord(collectionKey, z.string()),
  /** The pass under way, or null when the last one finished. */
  pass: z
    .object({
      mode: z.enum(['full', 'incremental']),
      collection: collectionKey,
      /** Next page to fetch. */
      page: z.number().int().min(1),
      /** Watermark candidate for the collection in progress. */
      collectionStartedAt: z.string().nullable(),
      startedAt: z.string(),
    })
    .nullable(),
});
export type XeroCursor = z.infer<typeof xeroCursorSchema>;

function readCursor(raw: unknown): XeroCursor | null {
  if (raw == null) return null;
  const parsed = xeroCursorSchema.safeParse(raw);
  return parsed.success ? parsed.data : null; // an unknown cursor means: start again with a full pass
}

export interface XeroSyncOptions {
  pageSize?: number;
}

const envelopeSchema = z.object({ pagination: paginationSchema.nullish() }).catchall(z.unknown());
const listSchema = z.array(z.unknown()).nullish();

/** The records and pagination block of a list response; a wrong shape fails the call. */
function readEnvelope(body: unknown, spec: XeroCollectionSpec) {
  const env = envelopeSchema.safeParse(body);
  const list = env.success ? listSchema.safeParse(env.data[spec.listKey]) : null;
  if (!env.success || !list?.success)
    throw validationError(`Xero ${spec.path}: unexpected response shape`, { platform: 'xero' });
  return { items: list.data ?? [], pagination: env.data.pagination ?? null };
}

function serverTime(headers: Headers): Date {
  const d = headers.get('date');
  const t = d ? Date.parse(d) : NaN;
  return new Date(Number.isNaN(t) ? Date.now() : t);
}

async function fetchPage(
  client: XeroApiClient,
  ctx: ConnectorContext,
  spec: XeroCollectionSpec,
  page: number,
  pageSize: number,
  since: string | null,
) {
  const res = await client.request(ctx, {
    method: 'GET',
    path: spec.path,
    query: { ...spec.query, where: spec.where, page, pageSize },
    headers: since ? { 'If-Modified-Since': ifModifiedSince(since) } : undefined,
  });
  return { ...readEnvelope(res.body, spec), headers: res.headers };
}

export async function* syncXero(
  client: XeroApiClient,
  ctx: ConnectorContext,
  req: SyncRequest,
  opts: XeroSyncOptions = {},
): AsyncIterable<SyncBatch> {
  const pageSize = Math.min(opts.pageSize ?? XERO_MAX_PAGE_SIZE, XERO_MAX_PAGE_SIZE);
  const prev = readCursor(req.cursor);
  const now = new Date().toISOString();
  let cursor: XeroCursor;
  const complete = !!prev && prev.pass === null && Object.keys(prev.since).length === COLLECTIONS.length;
  if (prev?.pass && (req.mode === prev.pass.mode || prev.pass.mode === 'full')) {
    cursor = prev; // resume the interrupted pass where its last written batch left it
  } else if (req.mode === 'incremental' && prev && complete) {
    cursor = {
      ...prev,
      pass: {
        mode: 'incremental',
        collection: 'contacts',
        page: 1,
        collectionStartedAt: null,
        startedAt: now,
      },
    };
  } else {
    // full, or incremental without a usable cursor: a full pass
    cursor = {
      v: 1,
      since: prev?.since ?? {},
      pass: { mode: 'full', collection: 'contacts', page: 1, collectionStartedAt: null, startedAt: now },
    };
  }
  ctx.logger.info(
    { mode: cursor.pass?.mode, resumeAt: cursor.pass?.collection, page: cursor.pass?.page },
    'xero sync',
  );

  let done = 0;
  const start = COLLECTIONS.findIndex((c) => c.key === cursor.pass?.collection);
  for (let i = Math.max(0, start); i < COLLECTIONS.length; i++) {
    const spec = COLLECTIONS[i]!;
    const pass = cursor.pass!;
    let page = pass.collection === spec.key ? pass.page : 1;
    let startedAt = pass.collection === spec.key ? pass.collectionStartedAt : null;
    const since = pass.mode === 'incremental' ? (cursor.since[spec.key] ?? null) : null;
    const doneBefore = done;
    for (;;) {
      const { items, pagination, headers } = await fetchPage(client, ctx, spec, page, pageSize, since);
      if (startedAt === null)
        startedAt = new Date(serverTime(headers).getTime() - WATERMARK_OVERLAP_MS).toISOString();
      const mapped = spec.map(items);
      done += items.length;
      const last =
        pagination?.pageCount != null
          ? page >= pagination.pageCount || items.length === 0
          : items.length < pageSize;
      const nextKey: XeroCollection | null = last ? (COLLECTIONS[i + 1]?.key ?? null) : spec.key;
      const since2 = last ? { ...cursor.since, [spec.key]: startedAt } : cursor.since;
      cursor = {
        v: 1,
        since: since2,
        pass:
          nextKey === null
            ? null
            : {
                ...pass,
                collection: nextKey,
                page: last ? 1 : page + 1,
                collectionStartedAt: last ? null : startedAt,
              },
      };
      const total = pagination?.itemCount != null ? doneBefore + pagination.itemCount : null;
      yield {
        entity: spec.entity,
        ...batchFields(spec.entity, mapped.records),
        errors: mapped.errors,
        cursor,
        progress: { done, total },
      };
      if (last) break;
      page += 1;
    }
  }
}

/** Records named by webhooks, at most 50 ids per call. */
export async function* fetchXeroRecords(
  client: XeroApiClient,
  ctx: ConnectorContext,
  refs: EntityRef[],
): AsyncIterable<SyncBatch> {
  const byEntity = new Map<string, string[]>();
  for (const r of refs) {
    const list = byEntity.get(r.entity) ?? [];
    if (!list.includes(r.externalId)) list.push(r.externalId);
    byEntity.set(r.entity, list);
  }
  for (const [entity, ids] of byEntity) {
    // payments may be payments, overpayments or prepayments: ask each list for the ids left
    const specs = COLLECTIONS.filter((c) => c.entity === entity);
    let missing = ids;
    for (const spec of specs) {
      if (missing.length === 0) break;
      const found = new Set<string>();
      for (let k = 0; k < missing.length; k += XERO_IDS_PER_CALL) {
        const chunk = missing.slice(k, k + XERO_IDS_PER_CALL);
        const query: Record<string, string> =
          spec.byIds === 'IDs'
            ? { ...spec.query, IDs: chunk.join(',') }
            : { where: chunk.map((id) => `${spec.idField}==guid("${id}")`).join(' OR ') };
        const res = await client.request(ctx, { method: 'GET', path: spec.path, query });
        const { items } = readEnvelope(res.body, spec);
        for (const it of items) {
          const id = (it as Record<string, unknown> | null)?.[spec.idField];
          if (typeof id === 'string') found.add(id);
        }
        const mapped = spec.map(items);
        yield {
          entity: spec.entity,
          ...batchFields(spec.entity, mapped.records),
          errors: mapped.errors,
          cursor: null,
        };
      }
      missing = missing.filter((id) => !found.has(id));
    }
    if (missing.length > 0)
      yield {
        entity: entity as SyncBatch['entity'],
        errors: missing.map((id) => ({
          entity: entity as SyncBatch['entity'],
          externalId: id,
          reason: 'not found in Xero',
        })),
        cursor: null,
      };
  }
}

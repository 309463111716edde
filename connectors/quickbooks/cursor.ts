/**
 * The sync cursor Duely persists with each batch (opaque to everything but this connector).
 * It carries the terms table too, so an incremental run can map customers' due days without
 * re-reading every Term.
 */
import { z } from 'zod';
import { QUICKBOOKS_SYNC_ENTITIES } from './platform';

const termsSchema = z.record(z.string(), z.tuple([z.string(), z.number().int().nullable()]));

export const fullCursorSchema = z.object({
  v: z.literal(1),
  phase: z.literal('full'),
  entity: z.enum(QUICKBOOKS_SYNC_ENTITIES),
  startPosition: z.number().int().min(1),
  /** When this full sync began: the next incremental starts here. */
  startedAt: z.string(),
  done: z.number().int().min(0),
  terms: termsSchema,
});

export const incrementalCursorSchema = z.object({
  v: z.literal(1),
  phase: z.literal('incremental'),
  since: z.string(),
  terms: termsSchema,
});

export const cursorSchema = z.discriminatedUnion('phase', [fullCursorSchema, incrementalCursorSchema]);

export type FullCursor = z.infer<typeof fullCursorSchema>;
export type IncrementalCursor = z.infer<typeof incrementalCursorSchema>;
export type QuickBooksCursor = z.infer<typeof cursorSchema>;
export type TermsRecord = z.infer<typeof termsSchema>;

/** A cursor from an older version or another connector is treated as none. */
export function readCursor(raw: unknown): QuickBooksCursor | null {
  const parsed = cursorSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export const termsToMap = (t: TermsRecord) =>
  new Map(Object.entries(t).map(([id, [name, dueDays]]) => [id, { name, dueDays }]));

export function termsToRecord(m: ReadonlyMap<string, { name: string; dueDays: number | null }>): TermsRecord {
  const out: TermsRecord = {};
  for (const [id, t] of m) out[id] = [t.name, t.dueDays];
  return out;
}

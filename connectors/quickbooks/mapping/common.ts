/** Small pure helpers shared by the QuickBooks mappers. */
import type { z } from 'zod';
import { normalizeMoney } from '../../../src/domain/money';
import type { EntityKind, RecordError } from '../../types';

export type Mapped<T> = { ok: true; value: T } | { ok: false; error: RecordError };

/** Company-wide facts a record needs: home currency and the terms table. */
export interface MappingContext {
  homeCurrency: string;
  terms: ReadonlyMap<string, { name: string; dueDays: number | null }>;
}

export const emptyMappingContext = (homeCurrency = 'USD'): MappingContext => ({
  homeCurrency,
  terms: new Map(),
});

export const money = (x: number | string): string => normalizeMoney(x);

/** QuickBooks timestamps carry an offset ("2015-10-01T16:48:43-07:00"); canonical is UTC. */
export function utc(ts: string | null | undefined): string | null {
  if (!ts) return null;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** A plain decimal text for rates (no exponent). */
export function decimalText(x: number | string | null | undefined): string | null {
  if (x === null || x === undefined) return null;
  if (typeof x === 'string') return x;
  const s = String(x);
  return /e/i.test(s) ? normalizeMoney(x) : s;
}

export const isZeroAmount = (x: number | string): boolean => /^-?0(\.0+)?$/.test(money(x));

/** QuickBooks voids zero the amounts and write "Voided" into PrivateNote. */
export function looksVoided(total: number | string, note: string | null | undefined): boolean {
  return isZeroAmount(total) && typeof note === 'string' && /^\s*voided\b/i.test(note);
}

const idOf = (raw: unknown): string | null => {
  const v = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).Id : undefined;
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
};

export function recordError(entity: EntityKind, raw: unknown, reason: string): RecordError {
  return { entity, externalId: idOf(raw), reason };
}

export function schemaError(entity: EntityKind, raw: unknown, error: z.ZodError): RecordError {
  const issue = error.issues[0];
  const where = issue ? `${issue.path.join('.') || '(record)'}: ${issue.message}` : 'schema mismatch';
  return recordError(entity, raw, `invalid QuickBooks record: ${where}`);
}

export function isDeletedRaw(raw: unknown): boolean {
  return !!raw && typeof raw === 'object' && (raw as Record<string, unknown>).status === 'Deleted';
}

/** Map a page; every record is either mapped or reported, none is dropped. */
export function mapAll<T>(
  raws: readonly unknown[],
  mapOne: (raw: unknown) => Mapped<T>,
): { records: T[]; errors: RecordError[] } {
  const records: T[] = [];
  const errors: RecordError[] = [];
  for (const raw of raws) {
    const m = mapOne(raw);
    if (m.ok) records.push(m.value);
    else errors.push(m.error);
  }
  return { records, errors };
}

export const EPOCH_DATE = '1970-01-01';

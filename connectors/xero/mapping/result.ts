import type { z } from 'zod';

import type { EntityKind, RecordError } from '../../types';

/** What a mapper makes of one raw record: a canonical record, a deliberate skip, or an error. */
export type Mapped<T> =
  { kind: 'record'; value: T } | { kind: 'skipped'; reason: string } | { kind: 'error'; error: RecordError };

export interface MappedPage<T> {
  records: T[];
  errors: RecordError[];
  skipped: number;
}

const idOf = (raw: unknown, idField: string): string | null => {
  const v = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[idField] : undefined;
  return typeof v === 'string' ? v : null;
};

/** Validate each raw record and map it; a bad record becomes a RecordError, never silence. */
export function mapPage<S extends z.ZodType, T>(
  raws: readonly unknown[],
  opts: {
    entity: EntityKind;
    idField: string;
    schema: S;
    map: (record: z.infer<S>) => Mapped<T>;
  },
): MappedPage<T> {
  const out: MappedPage<T> = { records: [], errors: [], skipped: 0 };
  for (const raw of raws) {
    const parsed = opts.schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      out.errors.push({
        entity: opts.entity,
        externalId: idOf(raw, opts.idField),
        reason: `invalid ${opts.idField.replace(/ID$/, '')}: ${issue ? `${issue.path.join('.') || '(record)'}: ${issue.message}` : 'schema mismatch'}`,
      });
      continue;
    }
    let m: Mapped<T>;
    try {
      m = opts.map(parsed.data);
    } catch (e) {
      // money or date text the schema let through but the parser rejects
      m = {
        kind: 'error',
        error: {
          entity: opts.entity,
          externalId: idOf(raw, opts.idField),
          reason: e instanceof Error ? e.message : String(e),
        },
      };
    }
    if (m.kind === 'record') out.records.push(m.value);
    else if (m.kind === 'error') out.errors.push(m.error);
    else out.skipped += 1;
  }
  return out;
}

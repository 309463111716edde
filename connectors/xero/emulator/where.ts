/**
 * The small part of Xero's `where` language the emulator understands:
 * `Field=="value"` and `Field==guid("…")`, joined by ` OR ` or by ` AND ` (not mixed).
 */
export type Getter = (field: string) => string | undefined;

const CLAUSE = /^\s*([A-Za-z.]+)\s*==\s*(?:guid\(\s*"([^"]*)"\s*\)|"([^"]*)")\s*$/;

export function parseWhere(where: string | null): ((get: Getter) => boolean) | { error: string } {
  if (!where || !where.trim()) return () => true;
  const or = where.split(/\s+OR\s+/);
  const and = where.split(/\s+AND\s+/);
  const parts = or.length > 1 ? or : and;
  const mode = or.length > 1 ? 'or' : 'and';
  const clauses: { field: string; value: string }[] = [];
  for (const p of parts) {
    const m = CLAUSE.exec(p);
    if (!m) return { error: `cannot parse where clause: ${p}` };
    clauses.push({ field: m[1]!, value: (m[2] ?? m[3] ?? '').toLowerCase() });
  }
  return (get) =>
    mode === 'or'
      ? clauses.some((c) => get(c.field)?.toLowerCase() === c.value)
      : clauses.every((c) => get(c.field)?.toLowerCase() === c.value);
}

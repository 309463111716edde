/** CSV downloads of the customer pages' tables (RFC 4180, CRLF, UTF-8 with a header row). */
import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';

type Cell = string | number | boolean | null | undefined | Date;

/** A text cell a spreadsheet would run as a formula gets a leading '; plain numbers stay numbers. */
function safe(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  const s = String(value);
  return /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return stringify([header, ...rows.map((r) => r.map(safe))], { record_delimiter: 'windows' });
}

export function sendCsv(res: Response, filename: string, header: string[], rows: Cell[][]): void {
  res.type('text/csv; charset=utf-8');
  res.attachment(filename);
  res.send(toCsv(header, rows));
}

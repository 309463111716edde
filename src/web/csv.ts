/** CSV for spreadsheet users: RFC 4180 quoting, CRLF line ends, formula injection defused. */
export function toCsv(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return rows.map((r) => r.map((v) => csvCell(v == null ? '' : String(v))).join(',')).join('\r\n') + '\r\n';
}

/** RFC 4180 quoting; a text cell a spreadsheet would run as a formula is prefixed with '. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

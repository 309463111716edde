/**
 * The sequence editor's plain HTML form ⇄ the sequence file format (CONTRACT.md §5). The form has
 * one row of fields per step, named `steps[<i>][<field>]`, so it works without JavaScript; rows
 * left blank are dropped and the rest renumbered, so an error path such as `steps[2].template`
 * points at the third row the page shows.
 */
import type { Sequence, SequenceFileError, SequenceStep } from '../../domain/sequences/format';

/** One step as the form shows it: every field a string. */
export interface StepRow {
  key: string;
  offsetDays: string;
  from: string;
  channel: string;
  template: string;
  tone: string;
  minBalance: string;
  tags: string;
  minDaysOverdue: string;
  maxDaysOverdue: string;
}

export interface SequenceFormValues {
  name: string;
  makeDefault: boolean;
  rows: StepRow[];
}

const ROW_FIELDS: readonly (keyof StepRow)[] = [
  'key',
  'offsetDays',
  'from',
  'channel',
  'template',
  'tone',
  'minBalance',
  'tags',
  'minDaysOverdue',
  'maxDaysOverdue',
];
const FIELD_RE = /^steps\[(\d{1,3})\]\[([A-Za-z]+)\]$/;
export const MAX_ROWS = 50;

export const emptyRow = (): StepRow => ({
  key: '',
  offsetDays: '',
  from: 'due',
  channel: 'email',
  template: '',
  tone: '',
  minBalance: '',
  tags: '',
  minDaysOverdue: '',
  maxDaysOverdue: '',
});

const str = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? String(v[0] ?? '') : '');

/**
 * Read the posted form (urlencoded, flat keys). Blank rows are dropped (unless `keepBlank`, for
 * the row buttons, whose index counts the rows as shown); the rest keep their order.
 */
export function readSequenceForm(body: Record<string, unknown>, keepBlank = false): SequenceFormValues {
  const byIndex = new Map<number, StepRow>();
  for (const [name, value] of Object.entries(body)) {
    const m = FIELD_RE.exec(name);
    if (!m) continue;
    const field = m[2] as keyof StepRow;
    if (!ROW_FIELDS.includes(field)) continue;
    const i = Number(m[1]);
    const row = byIndex.get(i) ?? { ...emptyRow(), from: '', channel: '' };
    row[field] = str(value).trim();
    byIndex.set(i, row);
  }
  const rows = [...byIndex.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, r]) => ({ ...r, from: r.from || 'due', channel: r.channel || 'email' }))
    .filter((r) => keepBlank || !isBlank(r))
    .slice(0, MAX_ROWS);
  return { name: str(body.name).trim(), makeDefault: str(body.default) === '1', rows };
}

function isBlank(r: StepRow): boolean {
  return (
    r.key === '' &&
    r.offsetDays === '' &&
    r.template === '' &&
    r.minBalance === '' &&
    r.tags === '' &&
    r.minDaysOverdue === '' &&
    r.maxDaysOverdue === ''
  );
}

/** The rows of a stored sequence. */
export function rowsOf(seq: Sequence): StepRow[] {
  return seq.steps.map((s) => ({
    key: s.key,
    offsetDays: String(s.offsetDays),
    from: s.from ?? 'due',
    channel: s.channel,
    template: s.template ?? '',
    tone: s.tone ?? '',
    minBalance: s.conditions?.minBalance ?? '',
    tags: (s.conditions?.tags ?? []).join(', '),
    minDaysOverdue: s.conditions?.minDaysOverdue?.toString() ?? '',
    maxDaysOverdue: s.conditions?.maxDaysOverdue?.toString() ?? '',
  }));
}

const INT = /^[+-]?\d{1,4}$/;

function intField(
  value: string,
  path: string,
  errors: SequenceFileError[],
  required: boolean,
): number | undefined {
  if (value === '') {
    if (required) errors.push({ path, message: 'is required: a whole number of days' });
    return undefined;
  }
  if (!INT.test(value)) {
    errors.push({ path, message: `"${value}" is not a whole number of days` });
    return undefined;
  }
  return Number(value);
}

/**
 * The sequence document the rows describe, for the sequences service to validate (templates,
 * duplicate keys, ranges) — or the form-level errors (numbers that are not numbers) with the path
 * of each bad field. `from: due` is the format's default and is left out, so saving an unchanged
 * form never makes a new version.
 */
export function sequenceFromForm(
  key: string,
  form: SequenceFormValues,
): { ok: true; document: Record<string, unknown> } | { ok: false; errors: SequenceFileError[] } {
  const errors: SequenceFileError[] = [];
  const steps = form.rows.map((r, i) => {
    const at = `steps[${i}]`;
    const step: Record<string, unknown> = {
      key: r.key,
      offsetDays: intField(r.offsetDays, `${at}.offsetDays`, errors, true) ?? 0,
      channel: r.channel,
    };
    if (r.from && r.from !== 'due') step.from = r.from;
    if (r.template) step.template = r.template;
    if (r.tone) step.tone = r.tone;
    const conditions: Record<string, unknown> = {};
    if (r.minBalance) conditions.minBalance = r.minBalance;
    const tags = r.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    if (tags.length) conditions.tags = tags;
    const min = intField(r.minDaysOverdue, `${at}.conditions.minDaysOverdue`, errors, false);
    const max = intField(r.maxDaysOverdue, `${at}.conditions.maxDaysOverdue`, errors, false);
    if (min !== undefined) conditions.minDaysOverdue = min;
    if (max !== undefined) conditions.maxDaysOverdue = max;
    if (Object.keys(conditions).length) step.conditions = conditions;
    return step;
  });
  if (steps.length === 0) errors.push({ path: 'steps', message: 'a sequence needs at least one step' });
  if (errors.length) return { ok: false, errors };
  const document: Record<string, unknown> = { key, name: form.name, steps };
  if (form.makeDefault) document.default = true;
  return { ok: true, document };
}

/** The input name of the field an error path points at (`steps[2].conditions.tags` → `steps[2][tags]`). */
export function fieldNameOf(path: string): string | null {
  const m = /^steps\[(\d+)\]\.(?:conditions\.)?([A-Za-z]+)/.exec(path);
  if (m) return `steps[${m[1]}][${m[2]}]`;
  if (path === 'name') return 'name';
  return null;
}

/** A step built from one row, for the live preview of unsaved values (lenient: defaults fill gaps). */
export function stepFromRow(r: StepRow): SequenceStep {
  const offset = INT.test(r.offsetDays) ? Number(r.offsetDays) : 0;
  const channel = (['email', 'call', 'letter', 'sms'] as const).find((c) => c === r.channel) ?? 'email';
  const tone = (['friendly', 'firm', 'final'] as const).find((t) => t === r.tone);
  return {
    key: r.key || 'step',
    offsetDays: offset,
    ...(r.from === 'issue' ? { from: 'issue' as const } : {}),
    channel,
    ...(r.template ? { template: r.template } : {}),
    ...(tone ? { tone } : {}),
  };
}

/** Row operations of the no-JavaScript editor: `add`, `remove:<i>`, `up:<i>`, `down:<i>`. */
export function applyRowAction(rows: StepRow[], action: string): StepRow[] | null {
  const out = [...rows];
  if (action === 'add') {
    if (out.length < MAX_ROWS) out.push(emptyRow());
    return out;
  }
  const m = /^(remove|up|down):(\d{1,3})$/.exec(action);
  if (!m) return null;
  const i = Number(m[2]);
  if (i >= out.length) return out;
  if (m[1] === 'remove') out.splice(i, 1);
  else {
    const j = m[1] === 'up' ? i - 1 : i + 1;
    if (j >= 0 && j < out.length) [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

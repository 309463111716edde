/**
 * The sequence file format (CONTRACT.md §5): one sequence, or `{"sequences": [...]}`.
 * Parsing is strict: an unknown field, an unknown template or a duplicate step key rejects the
 * whole file with the reason and the JSON path of the bad field.
 */
import { z } from 'zod';

export const CHANNELS = ['email', 'call', 'letter', 'sms'] as const;
export const TONES = ['friendly', 'firm', 'final'] as const;
export type SequenceChannel = (typeof CHANNELS)[number];
export type Tone = (typeof TONES)[number];

const KEY = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const key = z.string().regex(KEY, 'must be 1-64 characters: lowercase letters, digits, "-" or "_"');
const MONEY = /^\d+(\.\d{1,4})?$/;

export const stepConditionsSchema = z
  .strictObject({
    minBalance: z.string().regex(MONEY, 'must be a decimal string such as "500.00"').optional(),
    tags: z.array(z.string().min(1)).min(1).optional(),
    minDaysOverdue: z.number().int().optional(),
    maxDaysOverdue: z.number().int().optional(),
  })
  .refine(
    (c) =>
      c.minDaysOverdue === undefined ||
      c.maxDaysOverdue === undefined ||
      c.minDaysOverdue <= c.maxDaysOverdue,
    { message: 'minDaysOverdue must not exceed maxDaysOverdue', path: ['maxDaysOverdue'] },
  );

export const stepSchema = z
  .strictObject({
    key,
    offsetDays: z.number().int().min(-365).max(730),
    from: z.enum(['due', 'issue']).optional(),
    channel: z.enum(CHANNELS),
    template: z.string().min(1).optional(),
    tone: z.enum(TONES).optional(),
    conditions: stepConditionsSchema.optional(),
  })
  .refine((s) => s.channel !== 'email' || s.template !== undefined, {
    message: 'an email step needs a template',
    path: ['template'],
  });

export const sequenceSchema = z.strictObject({
  key,
  name: z.string().min(1).max(200),
  default: z.boolean().optional(),
  steps: z.array(stepSchema).min(1).max(50),
});

export type StepConditions = z.infer<typeof stepConditionsSchema>;
export type SequenceStep = z.infer<typeof stepSchema>;
export type Sequence = z.infer<typeof sequenceSchema>;

export interface SequenceFileError {
  /** e.g. `sequences[0].steps[2].template` */
  path: string;
  message: string;
}

export type ParseResult =
  { ok: true; sequences: Sequence[] } | { ok: false; errors: SequenceFileError[]; message: string };

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(root)' : out;
}

function fail(errors: SequenceFileError[]): ParseResult {
  return { ok: false, errors, message: errors.map((e) => `${e.path}: ${e.message}`).join('; ') };
}

/**
 * Validate a parsed JSON document. `knownTemplates` are the template keys the firm has (built-in
 * and its own); a step naming another key is an error.
 */
export function parseSequenceFile(json: unknown, knownTemplates: readonly string[]): ParseResult {
  const many = typeof json === 'object' && json !== null && !Array.isArray(json) && 'sequences' in json;
  const schema = many ? z.strictObject({ sequences: z.array(sequenceSchema).min(1) }) : sequenceSchema;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return fail(parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
  }
  const sequences: Sequence[] = many
    ? (parsed.data as { sequences: Sequence[] }).sequences
    : [parsed.data as Sequence];
  const prefix = (i: number): (string | number)[] => (many ? ['sequences', i] : []);

  const known = new Set(knownTemplates);
  const errors: SequenceFileError[] = [];
  const seqKeys = new Map<string, number>();
  let defaults = 0;
  sequences.forEach((seq, i) => {
    if (seqKeys.has(seq.key)) {
      errors.push({
        path: formatPath([...prefix(i), 'key']),
        message: `duplicate sequence key "${seq.key}" (also at ${formatPath(prefix(seqKeys.get(seq.key) ?? 0))})`,
      });
    } else seqKeys.set(seq.key, i);
    if (seq.default) defaults++;
    const stepKeys = new Map<string, number>();
    seq.steps.forEach((step, j) => {
      const at = [...prefix(i), 'steps', j];
      if (stepKeys.has(step.key)) {
        errors.push({
          path: formatPath([...at, 'key']),
          message: `duplicate step key "${step.key}" (also steps[${stepKeys.get(step.key)}])`,
        });
      } else stepKeys.set(step.key, j);
      if (step.template !== undefined && !known.has(step.template)) {
        errors.push({
          path: formatPath([...at, 'template']),
          message: `unknown template "${step.template}" in step "${step.key}" (neither a built-in template nor one of the firm's)`,
        });
      }
    });
  });
  if (defaults > 1) {
    errors.push({
      path: 'sequences',
      message: `${defaults} sequences are marked default; at most one may be`,
    });
  }
  return errors.length > 0 ? fail(errors) : { ok: true, sequences };
}

/** Parse file text (JSON) — a syntax error is reported at the root. */
export function parseSequenceText(text: string, knownTemplates: readonly string[]): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail([{ path: '(root)', message: `not valid JSON: ${(err as Error).message}` }]);
  }
  return parseSequenceFile(json, knownTemplates);
}

/** Plain object with a stable key order, for export and for content hashing. */
export function toPlainSequence(seq: Sequence): Sequence {
  return {
    key: seq.key,
    name: seq.name,
    ...(seq.default !== undefined ? { default: seq.default } : {}),
    steps: seq.steps.map((s) => ({
      key: s.key,
      offsetDays: s.offsetDays,
      ...(s.from !== undefined ? { from: s.from } : {}),
      channel: s.channel,
      ...(s.template !== undefined ? { template: s.template } : {}),
      ...(s.tone !== undefined ? { tone: s.tone } : {}),
      ...(s.conditions !== undefined
        ? {
            conditions: {
              ...(s.conditions.minBalance !== undefined ? { minBalance: s.conditions.minBalance } : {}),
              ...(s.conditions.tags !== undefined ? { tags: [...s.conditions.tags] } : {}),
              ...(s.conditions.minDaysOverdue !== undefined
                ? { minDaysOverdue: s.conditions.minDaysOverdue }
                : {}),
              ...(s.conditions.maxDaysOverdue !== undefined
                ? { maxDaysOverdue: s.conditions.maxDaysOverdue }
                : {}),
            },
          }
        : {}),
    })),
  };
}

/** JSON text of one sequence, or of `{"sequences":[…]}` for several; stable key order. */
export function serializeSequence(seq: Sequence | readonly Sequence[]): string {
  const body = Array.isArray(seq)
    ? { sequences: (seq as readonly Sequence[]).map(toPlainSequence) }
    : toPlainSequence(seq as Sequence);
  return JSON.stringify(body, null, 2) + '\n';
}

/** True when two versions differ in anything that affects sending (a new version is needed). */
export function sequenceChanged(a: Sequence, b: Sequence): boolean {
  return serializeSequence(a) !== serializeSequence(b);
}

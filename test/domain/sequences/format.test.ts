import { BUILTIN_SEQUENCES, BUILTIN_TEMPLATE_KEYS } from '../../../src/domain/sequences/builtins';
import {
  parseSequenceFile,
  parseSequenceText,
  serializeSequence,
  type ParseResult,
} from '../../../src/domain/sequences/format';

const TEMPLATES = ['friendly-reminder', 'due-today', 'overdue', 'final-notice'];

const standard = {
  key: 'standard',
  name: 'Standard',
  default: true,
  steps: [
    { key: 'pre-due', offsetDays: -2, channel: 'email', template: 'friendly-reminder' },
    { key: 'due', offsetDays: 0, channel: 'email', template: 'due-today' },
    { key: 'overdue-3', offsetDays: 3, channel: 'email', template: 'overdue' },
    { key: 'call-10', offsetDays: 10, channel: 'call' },
  ],
};

function errorsOf(r: ParseResult): string[] {
  if (r.ok) throw new Error('expected the file to be rejected');
  return r.errors.map((e) => `${e.path}: ${e.message}`);
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('sequence file format', () => {
  it('accepts the example of CONTRACT.md §5', () => {
    const r = parseSequenceFile(standard, TEMPLATES);
    expect(r).toEqual({ ok: true, sequences: [standard] });
  });

  it('accepts {"sequences": [...]} with tone, from and conditions', () => {
    const gentle = {
      key: 'gentle',
      name: 'Gentle',
      steps: [
        { key: 'issued', offsetDays: 7, from: 'issue', channel: 'letter' },
        {
          key: 'late',
          offsetDays: 5,
          channel: 'email',
          template: 'overdue',
          tone: 'firm',
          conditions: { minBalance: '250.00', tags: ['retail'], minDaysOverdue: 1, maxDaysOverdue: 60 },
        },
      ],
    };
    const r = parseSequenceFile({ sequences: [standard, gentle] }, TEMPLATES);
    expect(r.ok && r.sequences.map((s) => s.key)).toEqual(['standard', 'gentle']);
  });

  it('accepts every built-in sequence against the built-in templates', () => {
    const r = parseSequenceFile({ sequences: BUILTIN_SEQUENCES }, BUILTIN_TEMPLATE_KEYS);
    expect(r.ok).toBe(true);
  });

  it('rejects an unknown template with the path of the field', () => {
    const bad = clone(standard);
    bad.steps[2]!.template = 'overdue-x';
    expect(errorsOf(parseSequenceFile({ sequences: [bad] }, TEMPLATES))).toEqual([
      `sequences[0].steps[2].template: unknown template "overdue-x" in step "overdue-3" (neither a built-in template nor one of the firm's)`,
    ]);
    expect(errorsOf(parseSequenceFile(bad, TEMPLATES))).toEqual([
      `steps[2].template: unknown template "overdue-x" in step "overdue-3" (neither a built-in template nor one of the firm's)`,
    ]);
  });

  it('rejects duplicate step keys', () => {
    const bad = clone(standard);
    bad.steps[3]!.key = 'due';
    expect(errorsOf(parseSequenceFile(bad, TEMPLATES))).toEqual([
      'steps[3].key: duplicate step key "due" (also steps[1])',
    ]);
  });

  it('rejects an e-mail step without a template', () => {
    const bad = clone(standard) as { steps: Record<string, unknown>[] };
    delete bad.steps[1]!.template;
    expect(errorsOf(parseSequenceFile(bad, TEMPLATES))).toEqual([
      'steps[1].template: an email step needs a template',
    ]);
  });

  it('rejects an unknown channel, a fractional offset, a bad tone and an unknown field', () => {
    const bad = clone(standard) as { steps: Record<string, unknown>[] };
    bad.steps[0]!.channel = 'fax';
    bad.steps[1]!.offsetDays = 1.5;
    bad.steps[2]!.tone = 'angry';
    bad.steps[3]!.colour = 'red';
    const errors = errorsOf(parseSequenceFile(bad, TEMPLATES));
    expect(errors.map((e) => e.split(':')[0])).toEqual([
      'steps[0].channel',
      'steps[1].offsetDays',
      'steps[2].tone',
      'steps[3]',
    ]);
    expect(errors[3]).toMatch(/colour/);
  });

  it('rejects a float balance in conditions and an inverted days-overdue range', () => {
    const bad = clone(standard) as { steps: Record<string, unknown>[] };
    bad.steps[2]!.conditions = { minBalance: 250.5 };
    bad.steps[3]!.conditions = { minDaysOverdue: 30, maxDaysOverdue: 10 };
    expect(errorsOf(parseSequenceFile(bad, TEMPLATES)).map((e) => e.split(':')[0])).toEqual([
      'steps[2].conditions.minBalance',
      'steps[3].conditions.maxDaysOverdue',
    ]);
  });

  it('rejects missing fields, an empty step list and a bad key', () => {
    expect(
      errorsOf(parseSequenceFile({ key: 'Bad Key', steps: [] }, TEMPLATES)).map((e) => e.split(':')[0]),
    ).toEqual(['key', 'name', 'steps']);
  });

  it('rejects two sequences with one key and two defaults in one file', () => {
    const other = { ...clone(standard), name: 'Again' };
    const errors = errorsOf(parseSequenceFile({ sequences: [standard, other] }, TEMPLATES));
    expect(errors).toEqual([
      'sequences[1].key: duplicate sequence key "standard" (also at sequences[0])',
      'sequences: 2 sequences are marked default; at most one may be',
    ]);
  });

  it('rejects text that is not JSON at the root', () => {
    expect(errorsOf(parseSequenceText('{"key": ', TEMPLATES))[0]).toMatch(/^\(root\): not valid JSON/);
  });

  it('serialises with a stable key order and parses back to the same sequence', () => {
    const shuffled = {
      steps: [{ template: 'overdue', channel: 'email', offsetDays: 3, key: 'late', tone: 'firm' }],
      name: 'Late',
      key: 'late',
    };
    const r = parseSequenceFile(shuffled, TEMPLATES);
    if (!r.ok) throw new Error(r.message);
    const text = serializeSequence(r.sequences[0]!);
    expect(text).toBe(
      '{\n  "key": "late",\n  "name": "Late",\n  "steps": [\n    {\n      "key": "late",\n      "offsetDays": 3,\n' +
        '      "channel": "email",\n      "template": "overdue",\n      "tone": "firm"\n    }\n  ]\n}\n',
    );
    expect(parseSequenceText(text, TEMPLATES)).toEqual(r);
    const many = serializeSequence([standard as never, r.sequences[0]!]);
    expect(JSON.parse(many)).toEqual({ sequences: [standard, r.sequences[0]] });
  });
});

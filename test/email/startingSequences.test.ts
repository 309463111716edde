import { BUILTIN_TASK_TEMPLATES, FIRM, GENTLE, STANDARD } from '../../src/domain/sequences/builtins';
import { TONES, type Sequence } from '../../src/domain/sequences/format';
import { createBuiltinRenderer, type Renderer } from '../../src/email';
import { emailData } from './fixtures';

let renderer: Renderer;
beforeAll(() => {
  renderer = createBuiltinRenderer();
});

/** The subject's lead word(s): what the customer sees first in the inbox. */
const lead = (subject: string) => subject.split(':')[0];

/**
 * The three starting sequences a firm picks from (gentle, standard, firm): every step renders to a
 * personalised, actionable e-mail (or names a task a clerk can act on), and the tone only gets firmer.
 */
describe.each([GENTLE, STANDARD, FIRM].map((s) => [s.key, s] as [string, Sequence]))(
  'the %s starting sequence',
  (_key, sequence) => {
    it('renders every e-mail step with the contact’s name, what is owed, the due date and the portal link', async () => {
      for (const step of sequence.steps.filter((s) => s.channel === 'email')) {
        const out = await renderer.render(step.template!, emailData(), { tone: step.tone });
        for (const part of [out.text, out.html]) {
          expect(part).toContain('Dana Lee');
          expect(part).toContain('USD 35,200.50');
          expect(part).toContain('June 1, 2026');
          expect(part).not.toMatch(/\{\{|\}\}/);
        }
        expect(out.text).toContain('https://app.duely.test/p/tok123?i=1&j=2');
        expect(out.subject).toContain('USD 35,200.50');
      }
    });

    it('names a task template with talking points for every call and letter step', () => {
      for (const step of sequence.steps.filter((s) => s.channel === 'call' || s.channel === 'letter')) {
        const task = BUILTIN_TASK_TEMPLATES[step.template ?? ''];
        expect(task?.title).toBeTruthy();
        expect(task!.talkingPoints.length).toBeGreaterThan(1);
      }
    });

    it('never softens: each step’s tone is at least as firm as the one before', () => {
      const rank = sequence.steps.map((s) => TONES.indexOf(s.tone ?? 'friendly'));
      expect(rank).toEqual([...rank].sort((a, b) => a - b));
      expect(sequence.steps[0]!.tone).toBe('friendly');
    });
  },
);

describe('starting sequences: soft at first, firmer as the invoice ages', () => {
  const subjects = async (sequence: Sequence) => {
    const out: [string, string | undefined][] = [];
    for (const step of sequence.steps.filter((s) => s.channel === 'email')) {
      const r = await renderer.render(step.template!, emailData(), { tone: step.tone });
      out.push([step.key, lead(r.subject)]);
    }
    return out;
  };

  it('gentle: reminders first, "Overdue" only after two weeks, and no final notice', async () => {
    expect(await subjects(GENTLE)).toEqual([
      ['pre-due', 'Reminder'],
      ['overdue-3', 'Payment reminder'],
      ['overdue-14', 'Overdue'],
      ['overdue-35', 'Overdue'],
    ]);
  });

  it('standard: reminder, due today, payment reminder, overdue, then a final notice at 30 days', async () => {
    expect(await subjects(STANDARD)).toEqual([
      ['pre-due', 'Reminder'],
      ['due', 'Due today'],
      ['overdue-3', 'Payment reminder'],
      ['overdue-14', 'Overdue'],
      ['final-30', 'Final notice'],
    ]);
  });

  it('firm: "Overdue" from the first day late and a final notice at 14 days, then a letter', async () => {
    expect(await subjects(FIRM)).toEqual([
      ['pre-due', 'Reminder'],
      ['due', 'Due today'],
      ['overdue-1', 'Overdue'],
      ['overdue-7', 'Overdue'],
      ['final-14', 'Final notice'],
    ]);
    expect(FIRM.steps.at(-1)).toMatchObject({ channel: 'letter', template: 'final-letter' });
  });
});

import { startingSequence, type QuestionnaireAnswers } from '../../../src/domain/onboarding/questionnaire';
import {
  canComplete,
  newOnboarding,
  parseOnboarding,
  resumeStep,
  stepBySlug,
} from '../../../src/domain/onboarding/steps';

const base: QuestionnaireAnswers = {
  termsDays: 30,
  whoChases: 'clerk',
  channels: ['email'],
  firmness: 'balanced',
};

describe('questionnaire → starting sequence', () => {
  it.each<[Partial<QuestionnaireAnswers>, string]>([
    [{ firmness: 'gentle' }, 'gentle'],
    [{ firmness: 'balanced' }, 'standard'],
    [{ firmness: 'firm' }, 'firm'],
    [{ firmness: 'firm', whoChases: 'nobody' }, 'standard'],
    [{ firmness: 'firm', termsDays: 60 }, 'standard'],
    [{ firmness: 'balanced', termsDays: 90 }, 'gentle'],
    [{ firmness: 'gentle', termsDays: 90 }, 'gentle'],
    [{ firmness: 'firm', whoChases: 'nobody', termsDays: 60 }, 'gentle'],
    [{ firmness: 'gentle', termsDays: 14, channels: ['phone'] }, 'standard'],
    [{ firmness: 'gentle', termsDays: 14, channels: ['email'] }, 'gentle'],
    [{ firmness: 'gentle', termsDays: 7, channels: ['letter'], whoChases: 'nobody' }, 'gentle'],
  ])('maps %j to %s, with the reasons', (answers, expected) => {
    const out = startingSequence({ ...base, ...answers });
    expect(out.key).toBe(expected);
    expect(out.reasons.length).toBeGreaterThan(0);
  });
});

describe('onboarding steps', () => {
  const state = newOnboarding(new Date('2026-03-01T10:00:00Z'), '2026-03-01');

  it('targets each step 0/0/1/2/3/5/7 days after the start', () => {
    expect(Object.values(state.targetDates)).toEqual([
      '2026-03-01',
      '2026-03-01',
      '2026-03-02',
      '2026-03-03',
      '2026-03-04',
      '2026-03-06',
      '2026-03-08',
    ]);
  });

  it('resumes at the first unfinished step and unlocks a step only after the earlier ones', () => {
    expect(resumeStep(state)).toBe('connect');
    expect(canComplete(state, 'connect')).toBe(true);
    expect(canComplete(state, 'questionnaire')).toBe(false);
    const done = { doneAt: '2026-03-01T10:00:00Z', doneBy: null };
    const later = { ...state, steps: { connect: done, firstSync: done, questionnaire: done } };
    expect(resumeStep(later)).toBe('branding');
    expect(canComplete(later, 'branding')).toBe(true);
    expect(canComplete(later, 'pilot')).toBe(false);
    const all = {
      ...later,
      steps: { ...later.steps, branding: done, pilot: done, preview: done, goLive: done },
    };
    expect(resumeStep(all)).toBeNull();
  });

  it('reads a stored state leniently and finds steps by their URL', () => {
    expect(parseOnboarding(null)).toBeNull();
    expect(parseOnboarding({ startedAt: 3 })).toBeNull();
    const round = parseOnboarding(
      JSON.parse(JSON.stringify({ ...state, steps: { connect: { doneAt: 'x' }, bogus: {} } })),
    );
    expect(round!.steps).toEqual({ connect: { doneAt: 'x', doneBy: null } });
    expect(stepBySlug('go-live')!.key).toBe('goLive');
    expect(stepBySlug('goLive')).toBeUndefined();
  });
});

/**
 * The install and onboarding wizard's steps: order, who does each, when it should be done, and
 * which step a firm resumes at. Pure: the state is stored in `organizations.settings.onboarding`.
 */
import { addDays, type LocalDate } from '../calendar';

export const ONBOARDING_STEPS = [
  'connect',
  'firstSync',
  'questionnaire',
  'branding',
  'pilot',
  'preview',
  'goLive',
] as const;
export type OnboardingStep = (typeof ONBOARDING_STEPS)[number];

export interface StepInfo {
  key: OnboardingStep;
  /** URL segment under /welcome/. */
  slug: string;
  title: string;
  /** Who does it, as the checklist shows it. */
  who: string;
  /** The least role that may complete it. */
  role: 'admin' | 'clerk';
  /** Target: this many days after the start. */
  targetDay: number;
}

export const STEP_INFO: Readonly<Record<OnboardingStep, StepInfo>> = {
  connect: {
    key: 'connect',
    slug: 'connect',
    title: 'Connect your books',
    who: 'Owner',
    role: 'admin',
    targetDay: 0,
  },
  firstSync: {
    key: 'firstSync',
    slug: 'first-sync',
    title: 'First sync',
    who: 'Duely (automatic), watched by the owner',
    role: 'admin',
    targetDay: 0,
  },
  questionnaire: {
    key: 'questionnaire',
    slug: 'questionnaire',
    title: 'How you collect today',
    who: 'Owner',
    role: 'admin',
    targetDay: 1,
  },
  branding: {
    key: 'branding',
    slug: 'branding',
    title: 'Branding and sender',
    who: 'Admin',
    role: 'admin',
    targetDay: 2,
  },
  pilot: {
    key: 'pilot',
    slug: 'pilot',
    title: 'Choose pilot customers',
    who: 'Admin with the AR clerk',
    role: 'admin',
    targetDay: 3,
  },
  preview: {
    key: 'preview',
    slug: 'preview',
    title: 'Check the first two weeks',
    who: 'AR clerk',
    role: 'clerk',
    targetDay: 5,
  },
  goLive: { key: 'goLive', slug: 'go-live', title: 'Go live', who: 'Owner', role: 'admin', targetDay: 7 },
};

export function stepBySlug(slug: string): StepInfo | undefined {
  return ONBOARDING_STEPS.map((k) => STEP_INFO[k]).find((s) => s.slug === slug);
}

export interface StepDone {
  /** ISO instant. */
  doneAt: string;
  /** User id, or null when Duely saw it done (a connection exists, a sync finished). */
  doneBy: string | null;
}

export interface OnboardingState {
  /** ISO instant. */
  startedAt: string;
  /** The firm's local start date and each step's target date. */
  targetDates: Record<OnboardingStep, LocalDate>;
  steps: Partial<Record<OnboardingStep, StepDone>>;
  answers?: Record<string, unknown>;
  completedAt?: string | null;
}

export function newOnboarding(startedAt: Date, startDate: LocalDate): OnboardingState {
  const targetDates = Object.fromEntries(
    ONBOARDING_STEPS.map((k) => [k, addDays(startDate, STEP_INFO[k].targetDay)]),
  ) as Record<OnboardingStep, LocalDate>;
  return { startedAt: startedAt.toISOString(), targetDates, steps: {}, completedAt: null };
}

/** The first step not done (where a firm resumes), or null when every step is done. */
export function resumeStep(state: Pick<OnboardingState, 'steps'>): OnboardingStep | null {
  return ONBOARDING_STEPS.find((k) => !state.steps[k]) ?? null;
}

/**
 * A step may be completed once every step before it is done (connect and first sync are seen
 * done by Duely). Later steps stay locked so the preview and going live see the real setup.
 */
export function canComplete(state: Pick<OnboardingState, 'steps'>, step: OnboardingStep): boolean {
  const i = ONBOARDING_STEPS.indexOf(step);
  return ONBOARDING_STEPS.slice(0, i).every((k) => Boolean(state.steps[k]));
}

/** Read a stored state leniently: anything malformed counts as not started. */
export function parseOnboarding(raw: unknown): OnboardingState | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Partial<OnboardingState>;
  if (typeof r.startedAt !== 'string' || typeof r.targetDates !== 'object' || r.targetDates === null)
    return null;
  const steps: OnboardingState['steps'] = {};
  for (const k of ONBOARDING_STEPS) {
    const s = (r.steps ?? {})[k];
    if (s && typeof s.doneAt === 'string') steps[k] = { doneAt: s.doneAt, doneBy: s.doneBy ?? null };
  }
  return {
    startedAt: r.startedAt,
    targetDates: r.targetDates,
    steps,
    ...(r.answers ? { answers: r.answers } : {}),
    completedAt: r.completedAt ?? null,
  };
}

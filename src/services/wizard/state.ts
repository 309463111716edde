/**
 * The onboarding wizard's state (`organizations.settings.onboarding`): started on the firm's first
 * visit, each step ticked with when and by whom, connect and first sync seen done from the
 * connections themselves, resumed at the first unfinished step.
 */
import { desc, inArray } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { syncRuns, users } from '../../db/schema';
import { OrgScope } from '../../db/scope';
import { localDateOf } from '../../domain/calendar';
import {
  canComplete,
  newOnboarding,
  ONBOARDING_STEPS,
  parseOnboarding,
  resumeStep,
  STEP_INFO,
  type OnboardingState,
  type OnboardingStep,
  type StepInfo,
} from '../../domain/onboarding/steps';
import { listConnections } from '../connections/queries';
import { ConflictError } from '../errors';
import { findOrganization, type Organization } from '../organizations';
import { updateSettings, type OrgColumns } from '../settings/store';

export function readOnboarding(org: Pick<Organization, 'settings'>): OnboardingState | null {
  return parseOnboarding((org.settings ?? {}).onboarding);
}

/** Unfinished: started and not yet live through the wizard. */
export function onboardingUnfinished(org: Pick<Organization, 'settings'>): boolean {
  const s = readOnboarding(org);
  return Boolean(s && !s.completedAt);
}

/** Start the wizard once (concurrent first visits keep the first start). */
export async function startOnboarding(app: AppContext, scope: OrgScope): Promise<OnboardingState> {
  const settings = await updateSettings(app.db, scope.organizationId, (s, org) => {
    if (parseOnboarding(s.onboarding)) return s;
    const now = app.now();
    return { ...s, onboarding: newOnboarding(now, localDateOf(now.toISOString(), org.timezone)) };
  });
  return parseOnboarding(settings.onboarding)!;
}

/**
 * Tick a step. `change` may adjust the settings and `columns` the organisation in the same locked
 * write, and `within` runs in the same transaction (the pilot flags). A step whose earlier steps
 * are not done is refused and changes nothing; ticking a done step again keeps its first tick.
 * Ticking go-live completes the wizard.
 */
export async function completeStep(
  app: AppContext,
  scope: OrgScope,
  step: OnboardingStep,
  userId: string | null,
  opts: {
    change?: (settings: Record<string, unknown>) => Record<string, unknown>;
    columns?: OrgColumns;
    within?: (tx: OrgScope) => Promise<void>;
  } = {},
): Promise<OnboardingState> {
  const settings = await updateSettings(
    app.db,
    scope.organizationId,
    (s, org) => {
      const now = app.now();
      const base = opts.change ? opts.change(s) : s;
      const state =
        parseOnboarding(base.onboarding) ?? newOnboarding(now, localDateOf(now.toISOString(), org.timezone));
      if (!canComplete(state, step)) {
        const missing = ONBOARDING_STEPS.find((k) => !state.steps[k])!;
        throw new ConflictError(`finish “${STEP_INFO[missing].title}” first`);
      }
      const next: OnboardingState = {
        ...state,
        steps: { ...state.steps, [step]: state.steps[step] ?? { doneAt: now.toISOString(), doneBy: userId } },
      };
      if (step === 'goLive') next.completedAt = state.completedAt ?? now.toISOString();
      return { ...base, onboarding: next };
    },
    opts.columns,
    opts.within ? (tx) => opts.within!(new OrgScope(tx, scope.organizationId)) : undefined,
  );
  return parseOnboarding(settings.onboarding)!;
}

/** Refuse early (before side effects outside the settings) a step whose earlier steps are open. */
export async function assertCanComplete(
  app: AppContext,
  scope: OrgScope,
  step: OnboardingStep,
): Promise<void> {
  const state = readOnboarding(await findOrganization(app.db, scope.organizationId));
  if (state && canComplete(state, step)) return;
  const missing = ONBOARDING_STEPS.find((k) => !state?.steps[k])!;
  throw new ConflictError(`finish “${STEP_INFO[missing].title}” first`);
}

export interface WizardStepView extends StepInfo {
  done: boolean;
  doneAt: string | null;
  doneByName: string | null;
  target: string;
  locked: boolean;
}

export interface WizardView {
  org: Organization;
  state: OnboardingState;
  steps: WizardStepView[];
  /** Where to resume (null: all done). */
  current: OnboardingStep | null;
  connections: Awaited<ReturnType<typeof listConnections>>;
  /** Latest sync run per connection. */
  runs: Map<string, typeof syncRuns.$inferSelect>;
}

/**
 * The wizard as a page shows it. Connect is done once a connection exists, the first sync once
 * a sync of it has finished; those ticks are recorded (by Duely) the first time they are seen.
 */
export async function loadWizard(
  app: AppContext,
  scope: OrgScope,
  start: boolean,
): Promise<WizardView | null> {
  let org = await findOrganization(app.db, scope.organizationId);
  let state = readOnboarding(org);
  if (!state) {
    if (!start) return null;
    state = await startOnboarding(app, scope);
    org = await findOrganization(app.db, scope.organizationId);
  }
  const connections = await listConnections(scope);
  const runs = new Map<string, typeof syncRuns.$inferSelect>();
  if (connections.length) {
    const rows = await scope.db
      .select()
      .from(syncRuns)
      .where(
        scope.where(
          syncRuns,
          inArray(
            syncRuns.connectionId,
            connections.map((c) => c.id),
          ),
        ),
      )
      .orderBy(desc(syncRuns.createdAt))
      .limit(50);
    for (const r of rows) if (!runs.has(r.connectionId)) runs.set(r.connectionId, r);
  }
  const seen: OnboardingStep[] = [];
  if (!state.steps.connect && connections.length > 0) seen.push('connect');
  const synced =
    connections.some((c) => c.lastSyncAt) ||
    [...runs.values()].some((r) => r.status === 'succeeded' || r.status === 'partial');
  if (!state.steps.firstSync && synced && (state.steps.connect || seen.includes('connect')))
    seen.push('firstSync');
  for (const step of seen) state = await completeStep(app, scope, step, null);

  const userIds = [
    ...new Set(
      Object.values(state.steps)
        .map((s) => s?.doneBy)
        .filter((x): x is string => !!x),
    ),
  ];
  const names = new Map<string, string>();
  if (userIds.length) {
    const rows = await app.db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(inArray(users.id, userIds));
    for (const u of rows) names.set(u.id, u.name || u.email);
  }
  const current = resumeStep(state);
  const finalState = state;
  const steps = ONBOARDING_STEPS.map((k) => {
    const done = finalState.steps[k];
    return {
      ...STEP_INFO[k],
      done: Boolean(done),
      doneAt: done?.doneAt ?? null,
      doneByName: done ? (done.doneBy ? (names.get(done.doneBy) ?? 'a former member') : 'Duely') : null,
      target: finalState.targetDates[k] ?? '',
      locked: !canComplete(finalState, k),
    };
  });
  return { org, state: finalState, steps, current, connections, runs };
}

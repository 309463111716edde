/**
 * What each wizard step does when the firm completes it: the questionnaire sets the starting
 * sequence as the default, the pilot step flags a handful of customers and turns the pilot on,
 * going live switches automation to live with the pilot on. Every change is audited.
 */
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { organizations } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import {
  questionnaireSchema,
  startingSequence,
  type QuestionnaireAnswers,
  type StartingSequence,
} from '../../domain/onboarding/questionnaire';
import { audit, type Actor } from '../audit';
import { ValidationError } from '../errors';
import { getSequence, importSequences } from '../sequences';
import { readPilot } from '../settings/automation';
import { setPilotFlags } from '../settings/pilot';
import { assertCanComplete, completeStep } from './state';

export function parseAnswers(raw: unknown): QuestionnaireAnswers {
  const parsed = questionnaireSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(issue.message, String(issue.path[0] ?? ''));
  }
  return parsed.data;
}

/** Save the answers, make the mapped sequence the default, tick the step. */
export async function submitQuestionnaire(
  app: AppContext,
  scope: OrgScope,
  raw: unknown,
  actor: Actor,
): Promise<{ sequence: StartingSequence; reasons: string[] }> {
  const answers = parseAnswers(raw);
  const { key, reasons } = startingSequence(answers);
  await assertCanComplete(app, scope, 'questionnaire');
  const seq = await getSequence(scope, key);
  if (!seq.isDefault) await importSequences(scope, { ...seq.definition, default: true }, actor);
  await completeStep(app, scope, 'questionnaire', actor.id, {
    change: (s) => ({
      ...s,
      onboarding: { ...(s.onboarding as object), answers: { ...answers, sequence: key } },
    }),
  });
  await audit(scope, actor, 'onboarding.questionnaire', null, { ...answers, sequence: key });
  return { sequence: key, reasons };
}

/** Flag the chosen customers (of those shown) as pilot and turn the pilot on. */
export async function choosePilot(
  app: AppContext,
  scope: OrgScope,
  shown: readonly string[],
  chosen: readonly string[],
  actor: Actor,
): Promise<{ added: string[]; removed: string[] }> {
  const ids = new Set(shown);
  if (!chosen.some((id) => ids.has(id)))
    throw new ValidationError('choose at least one pilot customer', 'pilot');
  let flags = { added: [] as string[], removed: [] as string[] };
  await completeStep(app, scope, 'pilot', actor.id, {
    change: (s) => ({ ...s, pilot: { ...readPilot({ settings: s }), active: true } }),
    within: async (tx) => {
      flags = await setPilotFlags(tx, shown, chosen);
    },
  });
  await audit(scope, actor, 'onboarding.pilot', null, {
    pilotAdded: flags.added,
    pilotRemoved: flags.removed,
  });
  return flags;
}

/** Automation live with the pilot on, the wizard completed. */
export async function goLive(app: AppContext, scope: OrgScope, actor: Actor): Promise<void> {
  const [before] = await scope.db
    .select({ automation: organizations.automation })
    .from(organizations)
    .where(eq(organizations.id, scope.organizationId));
  // one locked write: going live before the earlier steps are done changes nothing
  await completeStep(app, scope, 'goLive', actor.id, {
    change: (s) => ({ ...s, pilot: { ...readPilot({ settings: s }), active: true } }),
    columns: { automation: 'live' },
  });
  await audit(scope, actor, 'automation.updated', null, {
    from: before?.automation ?? null,
    to: 'live',
    via: 'onboarding',
  });
  await audit(scope, actor, 'onboarding.completed');
}

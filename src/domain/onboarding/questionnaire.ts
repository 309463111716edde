/**
 * The onboarding questionnaire — how the firm collects today — and the starting sequence it maps
 * to. The mapping, as the wizard documents it to the firm:
 *
 *  1. Start from how firm the firm wants to be: "relationship first" → gentle, "balanced" →
 *     standard, "firm" → firm.
 *  2. Nobody chases today: customers are not used to reminders, so start no firmer than standard.
 *  3. Long payment terms (60 days or more) usually mean long-standing B2B relationships: one step
 *     gentler (firm → standard, standard → gentle).
 *  4. Short terms (14 days or less) with an AR clerk or the owner already chasing by phone or
 *     letter: one step firmer than gentle (gentle → standard), as those customers already hear
 *     from the firm soon after the due date.
 *
 * Channels are kept with the answers; call and letter steps become tasks for whoever chases.
 */
import { z } from 'zod';

export const WHO_CHASES = ['owner', 'clerk', 'nobody'] as const;
export const CHANNELS_USED = ['email', 'phone', 'letter'] as const;
export const FIRMNESS = ['gentle', 'balanced', 'firm'] as const;
export type StartingSequence = 'gentle' | 'standard' | 'firm';

export const questionnaireSchema = z.strictObject({
  termsDays: z
    .number({ message: 'usual payment terms must be a number of days' })
    .int('usual payment terms must be a whole number of days')
    .min(0, 'usual payment terms cannot be negative')
    .max(365, 'usual payment terms must be at most 365 days'),
  whoChases: z.enum(WHO_CHASES, { message: 'choose who chases late payments today' }),
  channels: z.array(z.enum(CHANNELS_USED)).max(3),
  firmness: z.enum(FIRMNESS, { message: 'choose how firm reminders should be' }),
});
export type QuestionnaireAnswers = z.infer<typeof questionnaireSchema>;

const LADDER: readonly StartingSequence[] = ['gentle', 'standard', 'firm'];

export function startingSequence(a: QuestionnaireAnswers): { key: StartingSequence; reasons: string[] } {
  let level = a.firmness === 'gentle' ? 0 : a.firmness === 'balanced' ? 1 : 2;
  const reasons = [
    `You chose ${a.firmness === 'gentle' ? 'relationship first' : a.firmness}: ${LADDER[level]}.`,
  ];
  if (a.whoChases === 'nobody' && level > 1) {
    level = 1;
    reasons.push('Nobody chases today, so customers are not used to reminders: no firmer than standard.');
  }
  if (a.termsDays >= 60 && level > 0) {
    level -= 1;
    reasons.push(`Terms of ${a.termsDays} days suggest long relationships: one step gentler.`);
  } else if (
    a.termsDays <= 14 &&
    level === 0 &&
    a.whoChases !== 'nobody' &&
    (a.channels.includes('phone') || a.channels.includes('letter'))
  ) {
    level = 1;
    reasons.push(
      `Short terms (${a.termsDays} days) and customers already chased by ${a.channels.includes('phone') ? 'phone' : 'letter'}: standard.`,
    );
  }
  return { key: LADDER[level]!, reasons };
}

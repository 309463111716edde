/** What completing, assigning and listing tasks accept (shared by the API, the pages and tests). */
import { z } from 'zod';
import { isLocalDate } from '../../domain/calendar';
import { MoneyParseError, parseMoney } from '../../domain/money';
import { preferencesSchema } from '../../domain/onboarding/preferences';
import { DISPUTE_CATEGORIES } from '../policies';

export const TASK_OUTCOMES = ['reached', 'no_answer', 'promise', 'dispute', 'wrong_number'] as const;

const uuid = z.string().uuid('not a valid id');
const invoiceIds = z.array(uuid).min(1, 'choose at least one invoice').max(200);

const amount = z
  .string()
  .trim()
  .refine((s) => {
    try {
      return /^\d+(\.\d+)?$/.test(s) && parseMoney(s) > 0n;
    } catch (e) {
      if (e instanceof MoneyParseError) return false;
      throw e;
    }
  }, 'must be a positive amount such as 250.00');

const date = z
  .string()
  .trim()
  .refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && isLocalDate(s), 'must be a date YYYY-MM-DD');

export const completeTaskInput = z
  .strictObject({
    outcome: z
      .enum(TASK_OUTCOMES, { message: `outcome must be one of ${TASK_OUTCOMES.join(', ')}` })
      .optional(),
    note: z.string().trim().max(2000, 'at most 2000 characters').optional(),
    promise: z.strictObject({ invoiceIds: invoiceIds.optional(), amount, promisedDate: date }).optional(),
    dispute: z
      .strictObject({
        category: z.enum(DISPUTE_CATEGORIES, {
          message: `category must be one of ${DISPUTE_CATEGORIES.join(', ')}`,
        }),
        message: z.string().trim().min(1, 'say what the customer disputes').max(5000),
        invoiceIds: invoiceIds.optional(),
      })
      .optional(),
    preferences: preferencesSchema.optional(),
    /** The number that turned out wrong (default: every usable number of the customer). */
    phone: z.string().trim().max(50).optional(),
    contactId: uuid.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.outcome === 'promise' && !v.promise)
      ctx.addIssue({ code: 'custom', path: ['promise'], message: 'a promise needs an amount and a date' });
    if (v.outcome === 'dispute' && !v.dispute)
      ctx.addIssue({
        code: 'custom',
        path: ['dispute'],
        message: 'a dispute needs a category and a message',
      });
    if (v.promise && v.outcome !== 'promise')
      ctx.addIssue({ code: 'custom', path: ['promise'], message: 'only with the outcome "promise"' });
    if (v.dispute && v.outcome !== 'dispute')
      ctx.addIssue({ code: 'custom', path: ['dispute'], message: 'only with the outcome "dispute"' });
    if (v.preferences && (v.outcome === 'no_answer' || v.outcome === 'wrong_number'))
      ctx.addIssue({
        code: 'custom',
        path: ['preferences'],
        message: 'preferences are recorded only when the customer was reached',
      });
  });
export type CompleteTaskInput = z.infer<typeof completeTaskInput>;

export const assignTaskInput = z.strictObject({
  /** A member's user id, or null to unassign. */
  assigneeUserId: uuid.nullable(),
});

export const listTasksInput = z.strictObject({
  assignee: z.union([z.literal('me'), z.literal('unassigned'), uuid]).optional(),
  due: z
    .enum(['today', 'overdue', 'upcoming'], { message: 'due must be today, overdue or upcoming' })
    .optional(),
  status: z
    .enum(['open', 'done', 'cancelled', 'all'], { message: 'status must be open, done, cancelled or all' })
    .default('open'),
  kind: z
    .enum(['call', 'letter', 'master_data', 'other'], {
      message: 'kind must be call, letter, master_data or other',
    })
    .optional(),
  customerId: uuid.optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1, 'limit must be at least 1')
    .max(500, 'limit must be at most 500')
    .default(100),
  cursor: z.string().max(200).optional(),
});
export type ListTasksInput = z.input<typeof listTasksInput>;

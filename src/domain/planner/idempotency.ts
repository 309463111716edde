import { createHash } from 'node:crypto';

/**
 * Deterministic key of one message or task: the same customer, sequence version, step and invoice
 * set always give the same key, so retries and concurrent workers collide on a unique index.
 * The invoice set is hashed to keep the key short whatever the number of invoices.
 */
export function idempotencyKey(
  customerId: string,
  sequenceKey: string,
  version: number,
  stepKey: string,
  invoiceIds: readonly string[],
): string {
  const ids = [...invoiceIds].sort().join(',');
  const digest = createHash('sha256').update(ids).digest('hex').slice(0, 32);
  return `${customerId}:${sequenceKey}:v${version}:${stepKey}:${digest}`;
}

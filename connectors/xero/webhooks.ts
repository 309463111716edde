/**
 * Xero webhooks: `x-xero-signature` is base64 HMAC-SHA256 of the raw body with the webhook
 * key. Intent-to-receive is a signed body whose `events` is empty (parse returns no events).
 */
import crypto from 'node:crypto';

import { z } from 'zod';

import { hmacBase64, safeEqual } from '../../src/crypto/tokens';
import { validationError } from '../errors';
import type { AccountingConnector, WebhookEvent } from '../types';
import { xeroTimestamp } from './mapping/dates';
import { XERO_HEADERS } from './platform';

const payloadSchema = z.object({
  events: z.array(
    z.object({
      resourceId: z.string().min(1),
      tenantId: z.string().min(1),
      eventCategory: z.string(),
      eventType: z.string(),
      eventDateUtc: z.string().nullish(),
      resourceUrl: z.string().nullish(),
      tenantType: z.string().nullish(),
    }),
  ),
  firstEventSequence: z.number().nullish(),
  lastEventSequence: z.number().nullish(),
  entropy: z.string().nullish(),
});

const CATEGORY: Readonly<Record<string, WebhookEvent['entity']>> = {
  INVOICE: 'invoices',
  CONTACT: 'customers',
  CREDITNOTE: 'creditNotes',
};
const OPERATION: Readonly<Record<string, WebhookEvent['operation']>> = {
  CREATE: 'create',
  UPDATE: 'update',
  DELETE: 'delete',
};

export function verifyXeroSignature(rawBody: Buffer, signature: string | undefined, secret: string): boolean {
  if (!signature || !secret) return false;
  return safeEqual(hmacBase64(secret, rawBody), signature.trim());
}

function occurredAt(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    return xeroTimestamp(value);
  } catch {
    return null; // the event still names its record; only the time is unknown
  }
}

export function parseXeroWebhook(rawBody: Buffer): WebhookEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw validationError('Xero webhook body is not JSON', { platform: 'xero' });
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success)
    throw validationError(
      `Xero webhook body has an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`,
      {
        platform: 'xero',
      },
    );
  return parsed.data.events.map((e) => ({
    externalTenantId: e.tenantId,
    entity: CATEGORY[e.eventCategory] ?? 'other',
    externalId: e.resourceId,
    operation: OPERATION[e.eventType] ?? 'other',
    occurredAt: occurredAt(e.eventDateUtc),
    eventId: crypto
      .createHash('sha256')
      .update([e.tenantId, e.eventCategory, e.eventType, e.resourceId, e.eventDateUtc ?? ''].join('|'))
      .digest('hex'),
  }));
}

export const xeroWebhooks: AccountingConnector['webhooks'] = {
  signatureHeader: XERO_HEADERS.signature,
  verify: verifyXeroSignature,
  parse: parseXeroWebhook,
};

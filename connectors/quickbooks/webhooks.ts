/**
 * QuickBooks webhooks: `intuit-signature` = base64(HMAC-SHA256(verifier token, raw body)),
 * compared in constant time; payloads in the legacy `eventNotifications` shape and in the
 * CloudEvents shape (an array of events, `type` = `qbo.<entity>.<verb>.v1`).
 */
import { z } from 'zod';
import { hmacBase64, safeEqual } from '../../src/crypto/tokens';
import { validationError } from '../errors';
import type { EntityKind, WebhookEvent } from '../types';
import { QUICKBOOKS_WEBHOOK_SIGNATURE_HEADER } from './platform';

export function verifyQuickBooksSignature(
  rawBody: Buffer,
  signature: string | undefined,
  secret: string,
): boolean {
  if (!signature || !secret) return false;
  return safeEqual(hmacBase64(secret, rawBody), signature.trim());
}

const ENTITY: Record<string, EntityKind> = {
  customer: 'customers',
  invoice: 'invoices',
  payment: 'payments',
  creditmemo: 'creditNotes',
};

const OPERATION: Record<string, WebhookEvent['operation']> = {
  create: 'create',
  created: 'create',
  update: 'update',
  updated: 'update',
  delete: 'delete',
  deleted: 'delete',
  void: 'void',
  voided: 'void',
  merge: 'merge',
  merged: 'merge',
};

const entityOf = (name: string): WebhookEvent['entity'] => ENTITY[name.toLowerCase()] ?? 'other';
const operationOf = (op: string): WebhookEvent['operation'] => OPERATION[op.toLowerCase()] ?? 'other';

function utc(ts: string | null | undefined): string | null {
  if (!ts) return null;
  // Intuit's legacy samples write offsets without a colon ("-0700")
  const fixed = ts.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(fixed);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const legacySchema = z.object({
  eventNotifications: z.array(
    z.object({
      realmId: z.string().min(1),
      dataChangeEvent: z.object({
        entities: z.array(
          z.object({
            name: z.string().min(1),
            id: z.string().min(1),
            operation: z.string().min(1),
            lastUpdated: z.string().optional().nullable(),
            deletedId: z.string().optional().nullable(),
          }),
        ),
      }),
    }),
  ),
});

const cloudEventSchema = z.object({
  specversion: z.string(),
  id: z.string().min(1),
  type: z.string().regex(/^qbo\.[a-z0-9_]+\.[a-z0-9_]+\.v\d+$/i, 'expected qbo.<entity>.<verb>.v<n>'),
  time: z.string().optional().nullable(),
  intuitentityid: z.string().min(1),
  intuitaccountid: z.string().min(1),
});

export function parseQuickBooksWebhook(rawBody: Buffer): WebhookEvent[] {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw validationError('QuickBooks webhook body is not JSON', { platform: 'quickbooks' });
  }

  if (body && typeof body === 'object' && !Array.isArray(body) && 'eventNotifications' in body) {
    const parsed = legacySchema.safeParse(body);
    if (!parsed.success) {
      throw validationError(`QuickBooks webhook: ${parsed.error.issues[0]?.message ?? 'bad shape'}`, {
        platform: 'quickbooks',
      });
    }
    const out: WebhookEvent[] = [];
    for (const n of parsed.data.eventNotifications) {
      for (const e of n.dataChangeEvent.entities) {
        out.push({
          externalTenantId: n.realmId,
          entity: entityOf(e.name),
          externalId: e.id,
          operation: operationOf(e.operation),
          occurredAt: utc(e.lastUpdated),
          eventId: ['qbo', n.realmId, e.name, e.id, e.operation, e.lastUpdated ?? ''].join(':'),
        });
      }
    }
    return out;
  }

  const events = Array.isArray(body) ? body : [body];
  const parsed = z.array(cloudEventSchema).safeParse(events);
  if (!parsed.success) {
    throw validationError(`QuickBooks webhook: ${parsed.error.issues[0]?.message ?? 'bad shape'}`, {
      platform: 'quickbooks',
    });
  }
  return parsed.data.map((ev) => {
    const [, entity = '', verb = ''] = ev.type.split('.');
    return {
      externalTenantId: ev.intuitaccountid,
      entity: entityOf(entity),
      externalId: ev.intuitentityid,
      operation: operationOf(verb),
      occurredAt: utc(ev.time),
      eventId: `qbo:ce:${ev.id}`,
    };
  });
}

export const quickBooksWebhooks = {
  signatureHeader: QUICKBOOKS_WEBHOOK_SIGNATURE_HEADER,
  verify: verifyQuickBooksSignature,
  parse: parseQuickBooksWebhook,
};

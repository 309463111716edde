import fs from 'node:fs';
import path from 'node:path';
import { parseQuickBooksWebhook, verifyQuickBooksSignature } from '../../../connectors/quickbooks/webhooks';
import { CONTRACTS, RECORDED, fixtureJson } from './helpers';

interface ContractVector {
  verifierToken: string;
  intuitSignature: string;
  rawBody: string;
}
interface RecordedVector {
  secret: string;
  signature: string;
  raw_body: string;
  negative_example?: { signature: string };
}

const contract = fixtureJson<{ vectors: ContractVector[] }>(
  CONTRACTS,
  'webhooks',
  'legacy-signature-test-vectors.json',
).vectors;
const recorded = fixtureJson<{ vectors: RecordedVector[] }>(
  RECORDED,
  'webhooks',
  'qbo_intuit_signature_vectors.json',
).vectors;
const vectors = [
  ...contract.map((v) => ({ secret: v.verifierToken, signature: v.intuitSignature, body: v.rawBody })),
  ...recorded.map((v) => ({ secret: v.secret, signature: v.signature, body: v.raw_body })),
];

describe('QuickBooks webhook signatures', () => {
  it.each(vectors.map((v, i) => [i, v] as const))('accepts Intuit test vector %i', (_i, v) => {
    expect(verifyQuickBooksSignature(Buffer.from(v.body, 'utf8'), v.signature, v.secret)).toBe(true);
  });

  it.each(vectors.map((v, i) => [i, v] as const))('rejects vector %i with one tampered byte', (_i, v) => {
    const body = Buffer.from(v.body, 'utf8');
    for (const at of [0, Math.floor(body.length / 2), body.length - 1]) {
      const tampered = Buffer.from(body);
      tampered[at] = tampered[at]! ^ 0x01;
      expect(verifyQuickBooksSignature(tampered, v.signature, v.secret)).toBe(false);
    }
  });

  it('rejects a missing, malformed or wrong-key signature', () => {
    const v = vectors[0]!;
    const body = Buffer.from(v.body, 'utf8');
    expect(verifyQuickBooksSignature(body, undefined, v.secret)).toBe(false);
    expect(verifyQuickBooksSignature(body, '', v.secret)).toBe(false);
    expect(verifyQuickBooksSignature(body, recorded[0]!.negative_example!.signature, v.secret)).toBe(false);
    expect(verifyQuickBooksSignature(body, v.signature, v.secret + 'x')).toBe(false);
    expect(verifyQuickBooksSignature(body, v.signature, '')).toBe(false);
  });
});

describe('QuickBooks webhook payloads', () => {
  it('parses the legacy eventNotifications sample into events with stable ids', () => {
    const raw = fs.readFileSync(
      path.join(RECORDED, 'webhooks', 'qbo_legacy_payload_intuit_docs_sample.json'),
    );
    const events = parseQuickBooksWebhook(raw);
    expect(events).toEqual([
      {
        externalTenantId: '1185883450',
        entity: 'customers',
        externalId: '1',
        operation: 'create',
        occurredAt: '2015-10-05T21:42:19.000Z',
        eventId: 'qbo:1185883450:Customer:1:Create:2015-10-05T14:42:19-0700',
      },
      expect.objectContaining({ entity: 'other', externalId: '1', operation: 'create' }),
    ]);
    expect(parseQuickBooksWebhook(raw).map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
  });

  it('parses the CloudEvents payload, keyed by the CloudEvent id', () => {
    const raw = fs.readFileSync(path.join(CONTRACTS, 'webhooks', 'cloudevents-sample.json'));
    expect(parseQuickBooksWebhook(raw)).toEqual([
      {
        externalTenantId: '310687',
        entity: 'other',
        externalId: '1234',
        operation: 'create',
        occurredAt: '2025-10-07T19:59:07.034Z',
        eventId: 'qbo:ce:d1a3aedd-9670-41bf-a4f9-c148a1cc4e03',
      },
    ]);
    const invoiceEvent = [
      {
        specversion: '1.0',
        id: 'e-2',
        type: 'qbo.invoice.voided.v1',
        time: '2025-10-07T19:59:07Z',
        intuitentityid: '130',
        intuitaccountid: '9341',
      },
      {
        specversion: '1.0',
        id: 'e-3',
        type: 'qbo.creditmemo.deleted.v1',
        intuitentityid: '9',
        intuitaccountid: '9341',
      },
    ];
    expect(parseQuickBooksWebhook(Buffer.from(JSON.stringify(invoiceEvent)))).toMatchObject([
      { entity: 'invoices', externalId: '130', operation: 'void', externalTenantId: '9341' },
      { entity: 'creditNotes', externalId: '9', operation: 'delete', occurredAt: null },
    ]);
  });

  it('rejects bodies that are not JSON or not a QuickBooks payload', () => {
    expect(() => parseQuickBooksWebhook(Buffer.from('not json'))).toThrow(
      expect.objectContaining({ kind: 'validation' }),
    );
    expect(() => parseQuickBooksWebhook(Buffer.from('{"eventNotifications":[{"realmId":"1"}]}'))).toThrow(
      expect.objectContaining({ kind: 'validation' }),
    );
    expect(() => parseQuickBooksWebhook(Buffer.from('{"hello":"world"}'))).toThrow(
      expect.objectContaining({ kind: 'validation' }),
    );
  });
});

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import nock from 'nock';

import { hmacBase64 } from '../../../src/crypto/tokens';
import { xeroWebhooks } from '../../../connectors/xero/webhooks';
import { startXeroEmulator } from '../../../connectors/xero/emulator';

const DIR = '/work/shared/fixtures/recorded/webhooks';
const vectors = JSON.parse(fs.readFileSync(`${DIR}/xero_signature_vectors.json`, 'utf8')) as {
  vectors: {
    id: string;
    webhook_key?: string;
    raw_body?: string;
    x_xero_signature_header: string;
    expected_valid: boolean;
  }[];
};
const examples = JSON.parse(
  fs.readFileSync(`${DIR}/xero_webhook_payload_examples_from_openapi.json`, 'utf8'),
) as Record<string, unknown>;

describe('Xero webhooks', () => {
  it('verifies the recorded signature vectors (real intent-to-receive captures)', () => {
    const usable = vectors.vectors.filter((v) => v.webhook_key && v.raw_body);
    expect(usable.length).toBeGreaterThanOrEqual(2);
    for (const v of usable)
      expect([
        v.id,
        xeroWebhooks.verify(Buffer.from(v.raw_body!), v.x_xero_signature_header, v.webhook_key!),
      ]).toEqual([v.id, v.expected_valid]);
  });

  it('rejects a missing signature, an empty key, and a body with one byte changed', () => {
    const body = Buffer.from('{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"X"}');
    const sig = hmacBase64('key', body);
    expect(xeroWebhooks.verify(body, sig, 'key')).toBe(true);
    expect(xeroWebhooks.verify(body, undefined, 'key')).toBe(false);
    expect(xeroWebhooks.verify(body, sig, '')).toBe(false);
    const tampered = Buffer.from(body);
    tampered[tampered.length - 3] = tampered[tampered.length - 3]! ^ 1;
    expect(xeroWebhooks.verify(tampered, sig, 'key')).toBe(false);
    expect(xeroWebhooks.signatureHeader).toBe('x-xero-signature');
  });

  it('parses intent-to-receive as no events, and the spec examples as events with stable ids', () => {
    expect(
      xeroWebhooks.parse(
        Buffer.from('{"events":[],"lastEventSequence":0,"firstEventSequence":0,"entropy":"S0m3r4Nd0mt3xt"}'),
      ),
    ).toEqual([]);
    const contact =
      examples['.components.responses.200WebhookDataReceivedOk.content.application/json.schema.example'];
    const raw = Buffer.from(JSON.stringify(contact));
    const events = xeroWebhooks.parse(raw);
    expect(events).toEqual([
      {
        externalTenantId: 'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f',
        entity: 'customers',
        externalId: '717f2bfc-c6d4-41fd-b238-3f2f0c0cf777',
        operation: 'update',
        occurredAt: '2024-06-21T01:15:39.902Z',
        eventId: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    expect(xeroWebhooks.parse(raw)[0]!.eventId).toBe(events[0]!.eventId);
  });

  it('refuses a body of the wrong shape with a validation error', () => {
    expect(() => xeroWebhooks.parse(Buffer.from('not json'))).toThrow(
      expect.objectContaining({ kind: 'validation' }),
    );
    expect(() => xeroWebhooks.parse(Buffer.from('{"events":[{"resourceId":1}]}'))).toThrow(
      expect.objectContaining({ kind: 'validation' }),
    );
  });

  it('passes the emulator’s intent-to-receive and receives its signed deliveries', async () => {
    nock.enableNetConnect('127.0.0.1');
    const key = 'whk-secret';
    const received: string[] = [];
    // a minimal receiver with the contract of POST /webhooks/xero
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const sig = req.headers[xeroWebhooks.signatureHeader];
        if (!xeroWebhooks.verify(raw, typeof sig === 'string' ? sig : undefined, key)) {
          res.writeHead(401).end();
          return;
        }
        for (const e of xeroWebhooks.parse(raw)) received.push(`${e.entity}:${e.externalId}:${e.operation}`);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/xero`;
    const emu = await startXeroEmulator({
      clientId: 'c',
      clientSecret: 's',
      webhookKey: key,
      company: { seed: 1, customers: 2, invoices: 2, asOf: '2026-11-20' },
    });
    try {
      await expect(emu.intentToReceive(target)).resolves.toEqual({
        passed: true,
        goodStatus: 200,
        badStatus: 401,
        goodBody: '',
      });
      const ok = await emu.deliverWebhook(target, [
        { resourceId: 'inv-1', eventCategory: 'INVOICE', eventType: 'UPDATE' },
      ]);
      expect(ok.status).toBe(200);
      const bad = await emu.deliverWebhook(
        target,
        [{ resourceId: 'inv-2', eventCategory: 'INVOICE', eventType: 'CREATE' }],
        {
          badSignature: true,
        },
      );
      expect(bad.status).toBe(401);
      expect(received).toEqual(['invoices:inv-1:update']);
    } finally {
      await emu.close();
      server.close();
    }
  });
});

// this file's nock must not outlive it (the next test file in this worker has its own)
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

import request from 'supertest';
import { createTestApp, type TestApp } from '../support/app';

describe('health endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('/healthz answers ok while the process runs', async () => {
    const res = await request(t.web).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when the database answers and 503 naming it when not', async () => {
    const ok = await request(t.web).get('/readyz');
    expect(ok.status).toBe(200);
    const ping = t.app.database.ping;
    t.app.database.ping = () => Promise.reject(new Error('connection refused'));
    try {
      const down = await request(t.web).get('/readyz');
      expect(down.status).toBe(503);
      expect(down.body.failing).toEqual(['database']);
    } finally {
      t.app.database.ping = ping;
    }
  });

  it('serves pages with a strict CSP and no third-party origins', async () => {
    const res = await request(t.web).get('/login');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:\/\//);
    expect(res.text).not.toMatch(/<(script|link)[^>]+(src|href)="https?:\/\//);
  });
});

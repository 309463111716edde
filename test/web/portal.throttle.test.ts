import path from 'node:path';
import express from 'express';
import session from 'express-session';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import request from 'supertest';
import { portalThrottle } from '../../src/web/middleware/portalAuth';

/** The per-link throttle in front of every portal page, with small limits to make it trip. */
function appWith(limits: { pages: number; actions: number }) {
  const web = express();
  web.set('view engine', 'ejs');
  web.set('views', path.join(__dirname, '..', '..', 'views'));
  web.use(session({ secret: 'test', resave: false, saveUninitialized: false }));
  web.get('/open/:tokenId', (req, res) => {
    req.session.portal = { tokenId: req.params.tokenId };
    res.sendStatus(204);
  });
  web.use(
    '/portal',
    portalThrottle({
      pages: new RateLimiterMemory({ points: limits.pages, duration: 60 }),
      actions: new RateLimiterMemory({ points: limits.actions, duration: 600 }),
    }),
  );
  web.all('/portal', (_req, res) => res.send('page'));
  return web;
}

describe('portal throttle', () => {
  it('answers 429 with a friendly page and Retry-After once a link has used its page loads', async () => {
    const web = appWith({ pages: 3, actions: 2 });
    const one = request.agent(web);
    await one.get('/open/token-one');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await one.get('/portal')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await one.get('/portal');
    expect(limited.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(limited.text).toContain('Please slow down');
    expect(limited.text).toContain('try again in 1 minute');
    // actions count on their own, and another link is not affected
    expect((await one.post('/portal')).status).toBe(200);
    expect((await one.post('/portal')).status).toBe(200);
    expect((await one.post('/portal')).status).toBe(429);
    const two = request.agent(web);
    await two.get('/open/token-two');
    expect((await two.get('/portal')).status).toBe(200);
  });

  it('leaves a visitor without a portal session to the renewal page', async () => {
    const web = appWith({ pages: 1, actions: 1 });
    for (let i = 0; i < 3; i++) expect((await request(web).get('/portal')).status).toBe(200);
  });
});

import type { Express } from 'express';
import request from 'supertest';
import type { AppContext } from '../../src/app/context';
import { OrgScope } from '../../src/db/scope';
import { issuePortalLink } from '../../src/services/portal/tokens';
import { csrfFrom } from './http';

/** The token part of a portal link. */
export const tokenOf = (url: string): string => url.slice(url.lastIndexOf('/p/') + 3);

/** A fresh portal link for a customer (as a reminder e-mail would carry). */
export async function portalLink(
  app: AppContext,
  organizationId: string,
  customerId: string,
  contactId: string | null = null,
) {
  const link = await issuePortalLink(app, new OrgScope(app.db, organizationId), {
    customerId,
    contactId,
    origin: 'message',
  });
  return { ...link, token: tokenOf(link.url) };
}

/** A browser that followed a portal link: its session is the customer's portal session. */
export async function portalVisitor(web: Express, token: string, ip = randomIp()) {
  const agent = request.agent(web);
  const opened = await agent.get(`/p/${token}`).set('X-Forwarded-For', ip);
  if (opened.status !== 303) throw new Error(`portal link did not open a session: ${opened.status}`);
  return {
    agent,
    ip,
    get: (path: string) => agent.get(path).set('X-Forwarded-For', ip),
    async post(path: string, form: Record<string, string | string[]>, from = '/portal') {
      const page = await agent.get(from).set('X-Forwarded-For', ip);
      return agent
        .post(path)
        .set('X-Forwarded-For', ip)
        .type('form')
        .send(formBody({ ...form, _csrf: csrfFrom(page.text) }));
    },
  };
}

/** Each test its own client address, so per-IP limits (shared through Redis) never cross tests. */
export function randomIp(): string {
  const b = () => Math.floor(Math.random() * 250) + 1;
  return `10.${b()}.${b()}.${b()}`;
}

/** A form body as a browser sends it (repeated names for multiple values). */
export function formBody(form: Record<string, string | string[]>): string {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
  return body.toString();
}

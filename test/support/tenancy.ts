import type { Express } from 'express';
import request from 'supertest';
import type { AppContext } from '../../src/app/context';
import { connections, customers, invoices } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createApiToken } from '../../src/services/apiTokens';
import { createOrganization } from '../../src/services/organizations';
import { createUser } from '../../src/services/users';
import { browser } from './http';

export const PASSWORD = 'correct-horse-battery';

export interface Firm {
  id: string;
  slug: string;
  token: string;
  users: { owner: string; admin: string; clerk: string; viewer: string };
  connectionId: string;
  customerId: string;
  invoiceId: string;
  /** Ids of records later issues add (tasks, promises, disputes, …): fill them in the test. */
  extra: Record<string, string>;
}

/** A firm with one user per role, an API token, a connection, a customer and an open invoice. */
export async function seedFirm(app: AppContext, name: string): Promise<Firm> {
  const org = await createOrganization(app.db, { name });
  const scope = new OrgScope(app.db, org.id);
  const sys = { type: 'system' as const, id: null };
  const users = {} as Firm['users'];
  for (const role of ['owner', 'admin', 'clerk', 'viewer'] as const) {
    const email = `${role}@${org.slug}.test`;
    await createUser(app.db, { organizationId: org.id, email, role, password: PASSWORD }, sys);
    users[role] = email;
  }
  const { token } = await createApiToken(scope, 'tests', sys);
  const [conn] = await scope
    .insert(connections, {
      platform: 'quickbooks',
      externalTenantId: `realm-${org.slug}`,
      displayName: `${name} Books`,
    })
    .returning({ id: connections.id });
  const [cust] = await scope
    .insert(customers, {
      connectionId: conn!.id,
      externalId: '1',
      name: `${name} Customer`,
      email: `ap@${org.slug}.example`,
    })
    .returning({ id: customers.id });
  const [inv] = await scope
    .insert(invoices, {
      connectionId: conn!.id,
      externalId: '100',
      customerId: cust!.id,
      number: 'INV-1',
      currency: 'USD',
      issueDate: '2026-10-01',
      dueDate: '2026-10-31',
      total: '1200.00',
      balance: '1200.00',
      status: 'open',
      platformStatus: 'Open',
    })
    .returning({ id: invoices.id });
  return {
    id: org.id,
    slug: org.slug,
    token,
    users,
    connectionId: conn!.id,
    customerId: cust!.id,
    invoiceId: inv!.id,
    extra: {},
  };
}

export interface IsolationRoutes {
  /** Page paths of one firm's records, e.g. (f) => `/customers/${f.customerId}`. */
  pages?: ((f: Firm) => string)[];
  /** API paths of one firm's records, e.g. (f) => `/api/v1/invoices/${f.invoiceId}`. */
  api?: ((f: Firm) => string)[];
  /** API list paths and the ids of the other firm that must not appear in them. */
  apiLists?: { path: string; ids: (f: Firm) => string[] }[];
}

/**
 * The tenant-isolation check every route goes through: a clerk of A gets 404 for each of B's
 * records through pages, A's API token gets 404 for B's records and never sees B's rows in lists.
 */
export async function expectIsolation(
  web: Express,
  a: Firm,
  b: Firm,
  routes: IsolationRoutes,
): Promise<void> {
  const clerk = browser(web);
  const login = await clerk.login(a.users.clerk, PASSWORD);
  expect(login.status).toBe(302);
  for (const page of routes.pages ?? []) {
    const own = await clerk.agent.get(page(a));
    expect({ path: page(a), status: own.status }).toEqual({ path: page(a), status: 200 });
    const other = await clerk.agent.get(page(b));
    expect({ path: page(b), status: other.status }).toEqual({ path: page(b), status: 404 });
    expect(other.text).not.toContain(b.slug);
  }
  for (const api of routes.api ?? []) {
    const own = await request(web).get(api(a)).set('Authorization', `Bearer ${a.token}`);
    expect({ path: api(a), status: own.status }).toEqual({ path: api(a), status: 200 });
    const other = await request(web).get(api(b)).set('Authorization', `Bearer ${a.token}`);
    expect({ path: api(b), status: other.status }).toEqual({ path: api(b), status: 404 });
    expect(other.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  }
  for (const list of routes.apiLists ?? []) {
    const res = await request(web).get(list.path).set('Authorization', `Bearer ${a.token}`);
    expect(res.status).toBe(200);
    const body = JSON.stringify(res.body);
    for (const id of list.ids(b)) expect(body).not.toContain(id);
    for (const id of list.ids(a)) expect(body).toContain(id);
  }
}

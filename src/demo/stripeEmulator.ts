/**
 * A Stripe emulator for tests and demo mode: a loopback HTTP server that answers the Checkout
 * calls the `stripe` SDK makes (through `STRIPE_BASE_URL`), with Stripe's object shapes, error
 * bodies and idempotent replays, plus a hosted "checkout page" whose Pay button completes the
 * session and delivers a signed `checkout.session.completed` event to the app's webhook, signed
 * with the SDK's own test-header helper exactly as Stripe signs it.
 *
 * Only what Duely uses is emulated: `POST /v1/checkout/sessions`, `GET /v1/checkout/sessions/:id`,
 * `POST /v1/checkout/sessions/:id/expire`. Never expose it beyond loopback.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import qs from 'qs';
import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../services/payments/config';

export interface StripeEmulatorOptions {
  port?: number;
  /** The key the SDK must present (default: a generated `sk_test_…`). */
  secretKey?: string;
  /** The endpoint secret events are signed with (default: a generated `whsec_…`). */
  webhookSecret?: string;
  /** Where events are delivered (the app's `/webhooks/stripe`); none: events are only recorded. */
  webhookUrl?: string | null;
}

export type PaymentMethodType = 'card' | 'us_bank_account';

export interface EmulatedSession {
  id: string;
  object: 'checkout.session';
  amount_subtotal: number;
  amount_total: number;
  cancel_url: string | null;
  client_reference_id: string | null;
  created: number;
  currency: string;
  customer: null;
  customer_details: {
    email: string | null;
    name: string | null;
    address: null;
    phone: null;
    tax_exempt: 'none';
    tax_ids: [];
  } | null;
  customer_email: string | null;
  expires_at: number;
  livemode: false;
  locale: string | null;
  metadata: Record<string, string>;
  mode: 'payment';
  payment_intent: string | null;
  allowed_payment_method_types: PaymentMethodType[] | null;
  payment_method_types: PaymentMethodType[];
  payment_status: 'paid' | 'unpaid' | 'no_payment_required';
  status: 'open' | 'complete' | 'expired';
  submit_type: string | null;
  success_url: string | null;
  ui_mode: 'hosted';
  url: string | null;
  /** Not part of Stripe's session object (it is a separate list call): kept for the hosted page and tests. */
  line_items: { name: string; description: string | null; amount: number; quantity: number }[];
}

export interface EmulatedEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: EmulatedSession };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export interface Delivery {
  eventId: string;
  type: string;
  status: number;
  body: string;
}

export interface StripeEmulator {
  url: string;
  secretKey: string;
  webhookSecret: string;
  setWebhookUrl(url: string | null): void;
  session(id: string): EmulatedSession | null;
  sessions(): EmulatedSession[];
  /** Every API request the SDK made: method, path and its Idempotency-Key. */
  requests: { method: string; path: string; idempotencyKey: string | null; stripeVersion: string | null }[];
  events: EmulatedEvent[];
  deliveries: Delivery[];
  /**
   * The customer pays: card → `checkout.session.completed` (paid); bank account →
   * `checkout.session.completed` (unpaid, processing) and, with `settle`, the async outcome.
   */
  complete(sessionId: string, method?: PaymentMethodType): Promise<Delivery | null>;
  /** The bank debit of an ACH session settles: `async_payment_succeeded` or `_failed`. */
  settle(sessionId: string, outcome: 'succeeded' | 'failed'): Promise<Delivery | null>;
  /** The session times out unpaid: `checkout.session.expired`. */
  expire(sessionId: string): Promise<Delivery | null>;
  /** Deliver an already-sent event again (Stripe retries and duplicates happen). */
  redeliver(eventId: string): Promise<Delivery | null>;
  /** The raw body and the `Stripe-Signature` header of an event, as delivered. */
  sign(event: EmulatedEvent, secret?: string): { payload: string; header: string };
  /** The next `count` API requests answer `status` with a Stripe error body. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

const rid = (prefix: string, bytes = 12) => `${prefix}${crypto.randomBytes(bytes).toString('hex')}`;
const nowSec = () => Math.floor(Date.now() / 1000);
const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly param?: string,
    readonly code?: string,
  ) {
    super(message);
  }
  body() {
    return {
      error: {
        type: this.type,
        message: this.message,
        ...(this.param ? { param: this.param } : {}),
        ...(this.code ? { code: this.code } : {}),
      },
    };
  }
}

const invalid = (message: string, param?: string) =>
  new StripeApiError(400, 'invalid_request_error', message, param, param ? 'parameter_invalid' : undefined);

type Params = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const asArray = (v: unknown): unknown[] =>
  Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v as object) : [];

function integer(v: unknown, param: string, min: number): number {
  const s = str(v);
  if (s === null || !/^-?\d+$/.test(s)) throw invalid(`Invalid integer: ${String(v)}`, param);
  const n = Number(s);
  if (n < min) throw invalid(`This value must be greater than or equal to ${min}.`, param);
  return n;
}

const MINIMUM_CHARGE: Record<string, number> = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, jpy: 50 };

export async function startStripeEmulator(opts: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  const secretKey = opts.secretKey ?? rid('sk_test_emulator_');
  const webhookSecret = opts.webhookSecret ?? rid('whsec_');
  let webhookUrl = opts.webhookUrl ?? null;
  const sessions = new Map<string, EmulatedSession>();
  const idempotent = new Map<string, { fingerprint: string; status: number; body: unknown }>();
  const requests: StripeEmulator['requests'] = [];
  const events: EmulatedEvent[] = [];
  const deliveries: Delivery[] = [];
  const failures: number[] = [];
  let baseUrl = '';

  function createSession(p: Params): EmulatedSession {
    if (p.mode !== 'payment') throw invalid('Only mode=payment is emulated.', 'mode');
    const successUrl = str(p.success_url);
    if (!successUrl) throw invalid('Missing required param: success_url.', 'success_url');
    const lineItems = asArray(p.line_items);
    if (lineItems.length === 0) throw invalid('Missing required param: line_items.', 'line_items');
    const currencies = new Set<string>();
    const items = lineItems.map((raw, i) => {
      const li = (raw ?? {}) as Params;
      const pd = (li.price_data ?? {}) as Params;
      const currency = str(pd.currency);
      if (!currency || !/^[a-z]{3}$/.test(currency))
        throw invalid('Invalid currency', `line_items[${i}][price_data][currency]`);
      currencies.add(currency);
      const name = str((pd.product_data as Params | undefined)?.name);
      if (!name) throw invalid('Missing required param', `line_items[${i}][price_data][product_data][name]`);
      return {
        name,
        description: str((pd.product_data as Params | undefined)?.description),
        amount: integer(pd.unit_amount, `line_items[${i}][price_data][unit_amount]`, 0),
        quantity: integer(li.quantity, `line_items[${i}][quantity]`, 1),
      };
    });
    if (currencies.size > 1)
      throw invalid('All line items must have the same currency.', 'line_items[1][price_data][currency]');
    const currency = [...currencies][0]!;
    // `allowed_payment_method_types` (current API) filters the methods the account has enabled
    const param = p.allowed_payment_method_types ? 'allowed_payment_method_types' : 'payment_method_types';
    const types = asArray(p[param]).map(String);
    const methods: PaymentMethodType[] = types.length ? [] : ['card'];
    for (const [i, t] of types.entries()) {
      if (t !== 'card' && t !== 'us_bank_account')
        throw invalid(`Invalid ${param}[${i}]: ${t}`, `${param}[${i}]`);
      if (t === 'us_bank_account' && currency !== 'usd')
        throw invalid(
          'The payment method `us_bank_account` cannot be used with currency `' + currency + '`.',
          param,
        );
      methods.push(t);
    }
    const total = items.reduce((s, li) => s + li.amount * li.quantity, 0);
    const min = MINIMUM_CHARGE[currency];
    if (min !== undefined && total < min)
      throw invalid(
        `The Checkout Session's total amount due must add up to at least ${min} ${currency} (smallest unit).`,
        'line_items',
      );
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries((p.metadata ?? {}) as Params)) {
      if (k.length > 40) throw invalid('Metadata keys can be at most 40 characters.', `metadata[${k}]`);
      const val = String(v);
      if (val.length > 500) throw invalid('Metadata values can be at most 500 characters.', `metadata[${k}]`);
      metadata[k] = val;
    }
    const id = rid('cs_test_', 24);
    const session: EmulatedSession = {
      id,
      object: 'checkout.session',
      amount_subtotal: total,
      amount_total: total,
      cancel_url: str(p.cancel_url),
      client_reference_id: str(p.client_reference_id),
      created: nowSec(),
      currency,
      customer: null,
      customer_details: null,
      customer_email: str(p.customer_email),
      expires_at: str(p.expires_at) ? Number(p.expires_at) : nowSec() + 24 * 3600,
      livemode: false,
      locale: str(p.locale),
      metadata,
      mode: 'payment',
      payment_intent: null,
      allowed_payment_method_types: param === 'allowed_payment_method_types' ? methods : null,
      payment_method_types: methods,
      payment_status: 'unpaid',
      status: 'open',
      submit_type: str(p.submit_type),
      success_url: successUrl,
      ui_mode: 'hosted',
      url: `${baseUrl}/c/pay/${id}`,
      line_items: items,
    };
    sessions.set(id, session);
    return session;
  }

  function publicSession(s: EmulatedSession): Omit<EmulatedSession, 'line_items'> {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { line_items, ...rest } = s;
    return structuredClone(rest);
  }

  function emit(type: string, s: EmulatedSession): EmulatedEvent {
    const event: EmulatedEvent = {
      id: rid('evt_test_', 12),
      object: 'event',
      api_version: STRIPE_API_VERSION,
      created: nowSec(),
      data: { object: publicSession(s) as EmulatedSession },
      livemode: false,
      pending_webhooks: webhookUrl ? 1 : 0,
      request: { id: null, idempotency_key: null },
      type,
    };
    events.push(event);
    return event;
  }

  function sign(event: EmulatedEvent, secret = webhookSecret) {
    const payload = JSON.stringify(event, null, 2);
    return { payload, header: Stripe.webhooks.generateTestHeaderString({ payload, secret }) };
  }

  async function deliver(event: EmulatedEvent): Promise<Delivery | null> {
    if (!webhookUrl) return null;
    const { payload, header } = sign(event);
    const res = await fetch(webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': header,
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      },
      body: payload,
    });
    const d = { eventId: event.id, type: event.type, status: res.status, body: await res.text() };
    deliveries.push(d);
    return d;
  }

  function must(id: string): EmulatedSession {
    const s = sessions.get(id);
    if (!s) throw new StripeApiError(404, 'invalid_request_error', `No such checkout.session: '${id}'`, 'id');
    return s;
  }

  async function complete(id: string, method: PaymentMethodType = 'card') {
    const s = must(id);
    if (s.status !== 'open') throw new Error(`emulator: session ${id} is ${s.status}`);
    if (!s.payment_method_types.includes(method)) throw new Error(`emulator: ${method} not offered`);
    s.status = 'complete';
    s.url = null;
    s.payment_intent = rid('pi_test_', 12);
    s.payment_status = method === 'card' ? 'paid' : 'unpaid';
    s.customer_details = {
      email: s.customer_email ?? 'payer@example.com',
      name: 'Test Payer',
      address: null,
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    };
    return deliver(emit('checkout.session.completed', s));
  }

  async function settle(id: string, outcome: 'succeeded' | 'failed') {
    const s = must(id);
    if (s.status !== 'complete' || s.payment_status !== 'unpaid')
      throw new Error(`emulator: session ${id} has nothing to settle`);
    if (outcome === 'succeeded') s.payment_status = 'paid';
    return deliver(emit(`checkout.session.async_payment_${outcome}`, s));
  }

  async function expire(id: string) {
    const s = must(id);
    if (s.status !== 'open') throw new Error(`emulator: session ${id} is ${s.status}`);
    s.status = 'expired';
    s.url = null;
    return deliver(emit('checkout.session.expired', s));
  }

  async function api(req: http.IncomingMessage, body: string): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const idem = (req.headers['idempotency-key'] as string | undefined) ?? null;
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      idempotencyKey: idem,
      stripeVersion: (req.headers['stripe-version'] as string | undefined) ?? null,
    });
    const auth = req.headers.authorization ?? '';
    const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const a = Buffer.from(given);
    const b = Buffer.from(secretKey);
    if (a.length !== b.length || !crypto.timingSafeEqual(a, b))
      throw new StripeApiError(401, 'invalid_request_error', 'Invalid API Key provided.');
    const failure = failures.shift();
    if (failure !== undefined)
      throw new StripeApiError(
        failure,
        failure === 429 ? 'rate_limit_error' : 'api_error',
        'injected failure',
      );
    const params = qs.parse(body, { depth: 10, arrayLimit: 200, parameterLimit: 5000 }) as Params;
    const m = /^\/v1\/checkout\/sessions(?:\/([^/]+))?(\/expire)?$/.exec(url.pathname);
    if (!m)
      throw new StripeApiError(404, 'invalid_request_error', `Unrecognized request URL (${url.pathname}).`);
    const [, id, action] = m;
    if (req.method === 'POST' && !id) {
      if (idem) {
        const fingerprint = crypto.createHash('sha256').update(body).digest('hex');
        const seen = idempotent.get(idem);
        if (seen) {
          if (seen.fingerprint !== fingerprint)
            throw new StripeApiError(
              400,
              'idempotency_error',
              `Keys for idempotent requests can only be used with the same parameters they were first used with.`,
            );
          return { status: seen.status, body: seen.body };
        }
        try {
          const out = { status: 200, body: publicSession(createSession(params)) };
          idempotent.set(idem, { fingerprint, ...out });
          return out;
        } catch (e) {
          if (e instanceof StripeApiError)
            idempotent.set(idem, { fingerprint, status: e.status, body: e.body() });
          throw e;
        }
      }
      return { status: 200, body: publicSession(createSession(params)) };
    }
    if (req.method === 'GET' && id && !action) return { status: 200, body: publicSession(must(id)) };
    if (req.method === 'POST' && id && action) {
      const s = must(id);
      if (s.status !== 'open')
        throw invalid(`Only Checkout Sessions with a status of open can be expired.`, 'session');
      await expire(id);
      return { status: 200, body: publicSession(s) };
    }
    throw new StripeApiError(404, 'invalid_request_error', `Unrecognized request URL (${url.pathname}).`);
  }

  function hostedPage(s: EmulatedSession): string {
    const money = (n: number) => `${s.currency.toUpperCase()} ${(n / 100).toFixed(2)}`;
    const rows = s.line_items
      .map((l) => `<li>${escape(l.name)} — ${escape(money(l.amount * l.quantity))}</li>`)
      .join('');
    const buttons = s.payment_method_types
      .map(
        (m) =>
          `<form method="post" action="/c/pay/${s.id}/pay"><input type="hidden" name="method" value="${m}">` +
          `<button type="submit">Pay ${escape(money(s.amount_total))} ${m === 'card' ? 'by card' : 'from a US bank account'}</button></form>`,
      )
      .join('');
    const cancel = s.cancel_url ? `<p><a href="/c/pay/${s.id}/cancel">Cancel and go back</a></p>` : '';
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stripe Checkout (emulator)</title></head><body><h1>Checkout (Stripe emulator)</h1><p>Test mode: no money moves.</p><ul>${rows}</ul>${buttons}${cancel}</body></html>`;
  }

  async function page(req: http.IncomingMessage, res: http.ServerResponse, body: string) {
    const m = /^\/c\/pay\/(cs_test_[0-9a-f]+)(\/pay|\/cancel)?$/.exec(req.url?.split('?')[0] ?? '');
    const s = m ? sessions.get(m[1]!) : undefined;
    if (!m || !s) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such checkout page');
      return;
    }
    const redirect = (to: string) => res.writeHead(303, { location: to }).end();
    if (m[2] === '/cancel') return redirect(s.cancel_url ?? '/');
    if (m[2] === '/pay' && req.method === 'POST') {
      if (s.status !== 'open') return redirect(s.success_url!.replace('{CHECKOUT_SESSION_ID}', s.id));
      const method =
        new URLSearchParams(body).get('method') === 'us_bank_account' ? 'us_bank_account' : 'card';
      await complete(s.id, method);
      return redirect(s.success_url!.replace('{CHECKOUT_SESSION_ID}', s.id));
    }
    if (s.status !== 'open') {
      res
        .writeHead(410, { 'content-type': 'text/html' })
        .end('<p>This checkout session is no longer open.</p>');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostedPage(s));
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const handle = async () => {
        if (req.url?.startsWith('/c/pay/')) return page(req, res, body);
        try {
          const out = await api(req, body);
          res.writeHead(out.status, { 'content-type': 'application/json', 'request-id': rid('req_', 8) });
          res.end(JSON.stringify(out.body));
        } catch (e) {
          const err =
            e instanceof StripeApiError ? e : new StripeApiError(500, 'api_error', 'emulator: ' + String(e));
          res.writeHead(err.status, { 'content-type': 'application/json', 'request-id': rid('req_', 8) });
          res.end(JSON.stringify(err.body()));
        }
      };
      handle().catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    secretKey,
    webhookSecret,
    setWebhookUrl(u) {
      webhookUrl = u;
    },
    session: (id) => sessions.get(id) ?? null,
    sessions: () => [...sessions.values()],
    requests,
    events,
    deliveries,
    complete,
    settle,
    expire,
    async redeliver(eventId) {
      const e = events.find((x) => x.id === eventId);
      if (!e) throw new Error(`emulator: no event ${eventId}`);
      return deliver(e);
    },
    sign,
    failNext(count, status) {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

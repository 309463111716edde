/**
 * The emulator's HTTP layer (node:http, loopback): routes Intuit's paths, checks Bearer tokens,
 * enforces Intuit's per-realm limits when asked (500/min, 10 in flight → 429), honours
 * `requestid` on writes, and applies injected latency and faults.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as api from './api';
import type { ApiAnswer } from './api';
import type { AuthServer } from './auth';
import type { CompanyStore } from './store';

export interface InjectedFault {
  status: number;
  /** Defaults to a QuickBooks-shaped body for the status. */
  body?: unknown;
  headers?: Record<string, string>;
  method?: string;
  /** Substring of the path (after `/v3/company/{realm}`) the fault applies to. */
  path?: string;
  /** How many requests it hits (default 1). */
  times?: number;
  /** Let this many matching requests through before the fault starts hitting. */
  skip?: number;
  /** Drop the connection instead of answering. */
  networkError?: boolean;
  /** Carry the request out first, then answer with the fault: "the answer was lost". */
  afterHandling?: boolean;
}

export interface EmulatorStats {
  requests: number;
  apiRequests: number;
  rateLimited: number;
  unauthorized: number;
  byRoute: Record<string, number>;
  maxInFlight: number;
}

export interface ServerState {
  store: CompanyStore;
  auth: AuthServer;
  realmId: string;
  enforceLimits: boolean;
  limits: { perMinute: number; concurrent: number; windowMs: number };
  latencyMs: number;
  faults: InjectedFault[];
  stats: EmulatorStats;
  idempotency: Map<string, ApiAnswer>;
  inFlight: number;
  window: number[];
  cdcCap: number;
  /** Test controls over HTTP (`/__emulator/…`), for emulators run as a separate process. */
  control?: (method: string, path: string, query: URLSearchParams) => unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  contentType?: string,
  headers: Record<string, string> = {},
) {
  const isBuffer = Buffer.isBuffer(body);
  const payload = isBuffer ? body : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': contentType ?? (isBuffer ? 'application/octet-stream' : 'application/json;charset=utf-8'),
    intuit_tid: `1-${Date.now().toString(16)}-emulator`,
    ...headers,
  });
  res.end(payload);
}

/** The gateway's lower-case envelope, as Intuit answers 401s and throttling. */
function gatewayFault(status: number, message: string, detail: string, code: string, type: string) {
  return {
    warnings: null,
    intuitObject: null,
    fault: { error: [{ message, detail, code, element: null }], type },
    report: null,
    queryResponse: null,
    batchItemResponse: [],
    attachableResponse: [],
    syncErrorResponse: null,
    requestId: null,
    time: Date.now(),
    status: null,
    cdcresponse: [],
  };
}

function parseForm(buf: Buffer, contentType: string | undefined): Record<string, string> {
  const text = buf.toString('utf8');
  if (contentType?.includes('json')) {
    try {
      const o = JSON.parse(text) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function basicAuth(header: string | undefined): [string, string] | null {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return null;
  const raw = Buffer.from(m[1]!, 'base64').toString('utf8');
  const at = raw.indexOf(':');
  return at < 0 ? null : [raw.slice(0, at), raw.slice(at + 1)];
}

function handleOAuth(
  s: ServerState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  body: Buffer,
): boolean {
  const path = url.pathname;
  if (req.method === 'GET' && path === '/connect/oauth2') {
    const q = url.searchParams;
    const redirect = q.get('redirect_uri');
    if (q.get('client_id') !== s.auth.clientId || !redirect || q.get('response_type') !== 'code') {
      send(res, 400, {
        error: 'invalid_request',
        error_description: 'unknown client_id, or missing redirect_uri/response_type',
      });
      return true;
    }
    const scopes = (q.get('scope') ?? '').split(/\s+/).filter(Boolean);
    const target = new URL(redirect);
    if (!scopes.includes('com.intuit.quickbooks.accounting') && !scopes.includes('openid')) {
      target.searchParams.set('error', 'invalid_scope');
    } else {
      target.searchParams.set('code', s.auth.issueCode(s.realmId, redirect, scopes));
      target.searchParams.set('realmId', s.realmId);
    }
    const state = q.get('state');
    if (state !== null) target.searchParams.set('state', state);
    res.writeHead(302, { Location: target.toString() });
    res.end();
    return true;
  }
  if (req.method === 'POST' && path === '/oauth2/v1/tokens/bearer') {
    const form = parseForm(body, req.headers['content-type']);
    const creds = basicAuth(req.headers.authorization) ?? [form.client_id ?? '', form.client_secret ?? ''];
    if (!s.auth.checkClient(creds[0], creds[1])) {
      send(res, 401, { error: 'invalid_client' });
      return true;
    }
    let answer: Record<string, unknown> | null = null;
    if (form.grant_type === 'authorization_code')
      answer = s.auth.exchangeCode(form.code ?? '', form.redirect_uri ?? '');
    else if (form.grant_type === 'refresh_token') answer = s.auth.refreshGrant(form.refresh_token ?? '');
    else {
      send(res, 400, { error: 'unsupported_grant_type' });
      return true;
    }
    if (!answer) send(res, 400, { error: 'invalid_grant' });
    else send(res, 200, answer, 'application/json;charset=UTF-8', { 'Cache-Control': 'no-store' });
    return true;
  }
  if (req.method === 'POST' && path === '/v2/oauth2/tokens/revoke') {
    const creds = basicAuth(req.headers.authorization);
    if (!creds || !s.auth.checkClient(creds[0], creds[1])) {
      send(res, 401, { error: 'invalid_client' });
      return true;
    }
    const form = parseForm(body, req.headers['content-type']);
    if (!form.token) send(res, 400, { error: 'invalid_request' });
    else if (!s.auth.revoke(form.token)) send(res, 400, { error: 'invalid_grant' });
    else send(res, 200, '', 'text/plain');
    return true;
  }
  if (req.method === 'GET' && path === '/v1/openid_connect/userinfo') {
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const grant = s.auth.authenticate(token);
    if (typeof grant === 'string' || !grant.scopes.includes('openid')) {
      send(res, 401, { error: 'invalid_token' }, undefined, {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
      return true;
    }
    send(res, 200, {
      sub: grant.id,
      email: 'owner@demo-firm.example',
      emailVerified: true,
      givenName: 'Demo',
      familyName: 'Owner',
    });
    return true;
  }
  return false;
}

function route(s: ServerState, method: string, rest: string, url: URL, body: Buffer): ApiAnswer {
  const parts = rest.split('/').filter(Boolean);
  const [head, id, tail] = parts;
  const json = (): Record<string, unknown> | null => {
    try {
      const o = JSON.parse(body.toString('utf8')) as unknown;
      return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };
  if (head === 'query') {
    const text = method === 'POST' ? body.toString('utf8') : (url.searchParams.get('query') ?? '');
    return api.query(s.store, text);
  }
  if (method === 'GET' && head === 'cdc') {
    return api.cdc(
      s.store,
      url.searchParams.get('entities') ?? '',
      url.searchParams.get('changedSince') ?? '',
      s.cdcCap,
    );
  }
  if (method === 'GET' && head?.toLowerCase() === 'companyinfo') return api.companyInfo(s.store, s.realmId);
  if (method === 'GET' && head === 'invoice' && id && tail === 'pdf') return api.pdf(s.store, id);
  if (method === 'GET' && head && id && !tail) return api.read(s.store, head, id);
  if (method === 'POST' && (head === 'invoice' || head === 'payment') && !id) {
    const entity = json();
    if (!entity) {
      return api.fault(
        400,
        '2010',
        'Request has invalid or unsupported property',
        'Request body is not a JSON object',
      );
    }
    if (head === 'invoice') return api.writeInvoice(s.store, url.searchParams.get('operation'), entity);
    if (url.searchParams.get('operation')) {
      return api.fault(400, '500', 'Unsupported Operation', 'The emulator creates payments only');
    }
    return api.createPayment(s.store, entity);
  }
  return api.fault(
    400,
    '500',
    'Unsupported Operation',
    `Operation Could not find resource for relative : ${rest} is not supported.`,
  );
}

function defaultFaultBody(status: number): unknown {
  if (status === 429) {
    return gatewayFault(
      429,
      'message=ThrottleExceeded; errorCode=003001; statusCode=429',
      'The request limit was reached.',
      '3001',
      'SERVICE',
    );
  }
  if (status === 401) {
    return gatewayFault(
      401,
      'message=AuthenticationFailed; errorCode=003200; statusCode=401',
      'Token revoked',
      '3200',
      'AUTHENTICATION',
    );
  }
  if (status >= 500) {
    return {
      Fault: {
        Error: [
          { Message: 'An application error has occurred', Detail: 'Internal Server Error', code: '-1' },
        ],
        type: 'SystemFault',
      },
      time: new Date().toISOString(),
    };
  }
  return {
    Fault: {
      Error: [{ Message: 'Injected fault', Detail: 'Injected by the emulator', code: '2010' }],
      type: 'ValidationFault',
    },
  };
}

async function handleApi(
  s: ServerState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  body: Buffer,
  realm: string,
  rest: string,
) {
  const method = req.method ?? 'GET';
  s.stats.apiRequests++;
  const routeKey = `${method} ${rest.split('/')[0] ?? ''}`;
  s.stats.byRoute[routeKey] = (s.stats.byRoute[routeKey] ?? 0) + 1;

  const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const grant = s.auth.authenticate(token);
  if (typeof grant === 'string') {
    s.stats.unauthorized++;
    const detail = grant === 'expired' ? `Token expired: ${token?.slice(0, 12) ?? ''}` : 'Token invalid';
    send(
      res,
      401,
      gatewayFault(
        401,
        'message=AuthenticationFailed; errorCode=003200; statusCode=401',
        detail,
        '3200',
        'AUTHENTICATION',
      ),
      'application/json',
      { 'WWW-Authenticate': 'Bearer realm="Intuit", error="invalid_token"' },
    );
    return;
  }
  if (grant.realmId !== realm) {
    send(res, 403, {
      Fault: {
        Error: [
          {
            Message: 'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403',
            Detail: 'Token not valid for this realm',
            code: '003100',
          },
        ],
        type: 'SERVICE',
      },
    });
    return;
  }

  if (s.enforceLimits) {
    const now = Date.now();
    while (s.window.length > 0 && s.window[0]! <= now - s.limits.windowMs) s.window.shift();
    if (s.inFlight >= s.limits.concurrent || s.window.length >= s.limits.perMinute) {
      s.stats.rateLimited++;
      send(res, 429, defaultFaultBody(429));
      return;
    }
    s.window.push(now);
  }
  s.inFlight++;
  s.stats.maxInFlight = Math.max(s.stats.maxInFlight, s.inFlight);
  try {
    if (s.latencyMs > 0) await sleep(s.latencyMs);
    const fi = s.faults.findIndex(
      (f) => (!f.method || f.method === method) && (!f.path || rest.includes(f.path)),
    );
    let injected = fi >= 0 ? s.faults[fi]! : null;
    if (injected?.skip) {
      injected.skip--;
      injected = null;
    }
    if (injected) {
      injected.times = (injected.times ?? 1) - 1;
      if (injected.times <= 0) s.faults.splice(fi, 1);
    }
    const fail = () => {
      if (injected!.networkError) req.socket.destroy();
      else
        send(
          res,
          injected!.status,
          injected!.body ?? defaultFaultBody(injected!.status),
          undefined,
          injected!.headers,
        );
    };
    if (injected && !injected.afterHandling) return fail();
    const requestId = method === 'POST' ? url.searchParams.get('requestid') : null;
    const key = requestId ? `${realm}:${rest.split('?')[0]}:${requestId}` : null;
    let answer = key ? s.idempotency.get(key) : undefined;
    if (!answer) {
      answer = route(s, method, rest, url, body);
      if (key) s.idempotency.set(key, answer);
    }
    if (injected) return fail();
    send(res, answer.status, answer.body, answer.contentType);
  } finally {
    s.inFlight--;
  }
}

export function createServer(s: ServerState): http.Server {
  return http.createServer((req, res) => {
    s.stats.requests++;
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://emulator.local');
        const body = await readBody(req);
        if (handleOAuth(s, req, res, url, body)) return;
        if (s.control && url.pathname.startsWith('/__emulator/')) {
          send(
            res,
            200,
            s.control(req.method ?? 'GET', url.pathname.slice('/__emulator/'.length), url.searchParams) ?? {},
          );
          return;
        }
        const m = /^\/v3\/company\/([^/]+)\/(.+)$/.exec(url.pathname);
        if (m) {
          await handleApi(s, req, res, url, body, decodeURIComponent(m[1]!), m[2]!);
          return;
        }
        send(res, 404, { error: 'not_found', path: url.pathname });
      } catch (e) {
        if (!res.headersSent)
          send(res, 500, {
            Fault: {
              Error: [{ Message: 'Emulator error', Detail: String(e), code: '-1' }],
              type: 'SystemFault',
            },
          });
      }
    })();
  });
}

export async function listen(server: http.Server, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return `http://127.0.0.1:${addr.port}`;
}

/**
 * QuickBooks error envelopes → ConnectorError kinds. Intuit answers faults in two casings:
 * `{"Fault":{"Error":[{"Message","Detail","code"}],"type"}}` from the API and
 * `{"fault":{"error":[{"message","detail","code"}],"type"}}` from its gateway (401s).
 */
import { ConnectorError, type ConnectorErrorKind } from '../errors';
import { QUICKBOOKS_FAULT_CODES } from './platform';

export interface QuickBooksFault {
  type: string | null;
  errors: { code: string | null; message: string; detail: string | null; element: string | null }[];
}

const str = (x: unknown): string | null =>
  typeof x === 'string' ? x : typeof x === 'number' ? String(x) : null;

/** Reads either casing; null when the body is not a fault. */
export function parseFault(body: unknown): QuickBooksFault | null {
  if (Buffer.isBuffer(body)) {
    try {
      body = JSON.parse(body.toString('utf8')) as unknown;
    } catch {
      return null;
    }
  } else if (typeof body === 'string') {
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      return null;
    }
  }
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  const raw = (b.Fault ?? b.fault) as Record<string, unknown> | undefined | null;
  if (!raw || typeof raw !== 'object') return null;
  const list = (raw.Error ?? raw.error) as unknown;
  const errors = Array.isArray(list)
    ? list.map((e: Record<string, unknown>) => ({
        code: str(e.code),
        message: str(e.Message ?? e.message) ?? '',
        detail: str(e.Detail ?? e.detail),
        element: str(e.element),
      }))
    : [];
  return { type: str(raw.type), errors };
}

/** The kind an HTTP status + fault means. 401 is decided by the client (after one forced refresh). */
export function faultKind(status: number | undefined, fault: QuickBooksFault | null): ConnectorErrorKind {
  const first = fault?.errors[0];
  const code = first?.code ?? null;
  const numeric = code !== null && /^\d+$/.test(code) ? Number(code) : NaN;
  const type = (fault?.type ?? '').toLowerCase();
  const authText = `${first?.message ?? ''}`.toLowerCase();

  if (status === 429 || code === QUICKBOOKS_FAULT_CODES.throttled) return 'rate_limited';
  if (
    status === 401 ||
    code === QUICKBOOKS_FAULT_CODES.authenticationFailed ||
    type === 'authentication' ||
    authText.includes('authenticationfailed')
  ) {
    return 'needs_reconnect';
  }
  if (
    status === 403 ||
    code === QUICKBOOKS_FAULT_CODES.authorizationFailed ||
    type === 'authorizationfault'
  ) {
    return 'needs_reconnect';
  }
  if (code === QUICKBOOKS_FAULT_CODES.staleObject) return 'stale_object';
  const [lo, hi] = QUICKBOOKS_FAULT_CODES.validationRange;
  if (numeric >= lo && numeric <= hi) return 'validation';
  if (type === 'validationfault' || type === 'validation') return 'validation';
  if (status !== undefined && status >= 500) return 'retryable';
  if (type === 'systemfault' || type === 'service') return 'retryable';
  return 'permanent';
}

export function faultError(
  status: number | undefined,
  fault: QuickBooksFault | null,
  what: string,
  retryAfterMs?: number,
): ConnectorError {
  const kind = faultKind(status, fault);
  const first = fault?.errors[0];
  const text = first ? `${first.message}${first.detail ? `: ${first.detail}` : ''}` : `HTTP ${status ?? '?'}`;
  return new ConnectorError(kind, `${what}: ${text}`, {
    platform: 'quickbooks',
    status,
    code: first?.code ?? undefined,
    ...(kind === 'rate_limited' ? { retryAfterMs: retryAfterMs ?? 60_000 } : {}),
  });
}

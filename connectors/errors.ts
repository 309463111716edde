/**
 * A connector never throws a raw SDK error upward: it maps it to one of these kinds.
 * Jobs decide from the kind: retry, wait, hold the connection, or give up.
 */
export type ConnectorErrorKind =
  'retryable' | 'rate_limited' | 'needs_reconnect' | 'stale_object' | 'validation' | 'permanent';

export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    readonly details: {
      platform?: string;
      status?: number;
      code?: string;
      retryAfterMs?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.kind === 'retryable' || this.kind === 'rate_limited' || this.kind === 'stale_object';
  }
}

export function isConnectorError(e: unknown): e is ConnectorError {
  return e instanceof ConnectorError;
}

export const retryableError = (message: string, details?: ConnectorError['details']) =>
  new ConnectorError('retryable', message, details);
export const rateLimitedError = (
  message: string,
  retryAfterMs: number,
  details?: ConnectorError['details'],
) => new ConnectorError('rate_limited', message, { ...details, retryAfterMs });
export const needsReconnectError = (message: string, details?: ConnectorError['details']) =>
  new ConnectorError('needs_reconnect', message, details);
export const staleObjectError = (message: string, details?: ConnectorError['details']) =>
  new ConnectorError('stale_object', message, details);
export const validationError = (message: string, details?: ConnectorError['details']) =>
  new ConnectorError('validation', message, details);
export const permanentError = (message: string, details?: ConnectorError['details']) =>
  new ConnectorError('permanent', message, details);

import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { UnknownPlatformError } from '../../app/context';
import { ServiceError, zodMessage } from '../../services/errors';
import { portalPageLocals } from './portalAuth';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const isPortal = (path: string) =>
  path === '/portal' || path.startsWith('/portal/') || path.startsWith('/p/');
const isApi = (path: string) => path.startsWith('/api/') || path.startsWith('/webhooks/');

export const notFound: RequestHandler = (_req, _res, next) =>
  next(new HttpError(404, 'not_found', 'not found'));

/** One error handler: CONTRACT's JSON error for the API, an HTML page for people. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  let status = 500;
  let code = 'internal_error';
  let message = 'something went wrong on our side; it has been logged';
  if (err instanceof HttpError || err instanceof ServiceError) {
    status = err.status;
    code = err.code;
    message = err.message;
  } else if (err instanceof ZodError) {
    status = 400;
    code = 'invalid_request';
    message = zodMessage(err).message;
  } else if (err instanceof UnknownPlatformError) {
    status = 404;
    code = 'not_found';
    message = err.message;
  } else if (
    typeof err === 'object' &&
    err &&
    'type' in err &&
    (err as { type: string }).type === 'entity.parse.failed'
  ) {
    status = 400;
    code = 'invalid_json';
    message = 'the request body is not valid JSON';
  } else if (
    typeof err === 'object' &&
    err &&
    'code' in err &&
    (err as { code: string }).code === 'EBADCSRFTOKEN'
  ) {
    status = 403;
    code = 'csrf_failed';
    message = 'the form expired or did not come from this site; reload the page and try again';
  } else if (
    typeof err === 'object' &&
    err &&
    'status' in err &&
    typeof (err as { status: unknown }).status === 'number'
  ) {
    status = (err as { status: number }).status;
    code = status === 413 ? 'too_large' : 'bad_request';
    message = err instanceof Error ? err.message : 'bad request';
  }
  if (status >= 500) req.log?.error({ err }, 'request failed');
  if (res.headersSent) return;
  res.status(status);
  if (isApi(req.path) || !req.accepts('html')) {
    res.json({ error: { code, message } });
    return;
  }
  if (isPortal(req.path)) {
    // the customer's pages: the firm's branding, never the clerk's layout
    res.render(
      'portal/error',
      portalPageLocals(req.portal?.firm ?? null, { title: 'Error', status, message }),
    );
    return;
  }
  res.render('pages/error', { title: status === 404 ? 'Not found' : 'Error', status, message });
};

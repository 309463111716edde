/** Errors a service raises for its callers (routes, CLI, jobs) to turn into answers. */
export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends ServiceError {
  override readonly name = 'NotFoundError';
  constructor(what = 'record') {
    super('not_found', `${what} not found`, 404);
  }
}

export class ValidationError extends ServiceError {
  override readonly name = 'ValidationError';
  constructor(message: string, field?: string) {
    super('invalid_request', field ? `${field}: ${message}` : message, 400, field);
  }
}

export class ConflictError extends ServiceError {
  override readonly name = 'ConflictError';
  constructor(message: string) {
    super('conflict', message, 409);
  }
}

export class ForbiddenError extends ServiceError {
  override readonly name = 'ForbiddenError';
  constructor(message = 'you do not have permission to do this') {
    super('forbidden', message, 403);
  }
}

/** First zod issue as "path: message". */
export function zodMessage(error: { issues: { path: PropertyKey[]; message: string }[] }): {
  message: string;
  field?: string;
} {
  const issue = error.issues[0];
  if (!issue) return { message: 'invalid input' };
  const field = issue.path.map(String).join('.');
  return { message: field ? `${field}: ${issue.message}` : issue.message, field: field || undefined };
}

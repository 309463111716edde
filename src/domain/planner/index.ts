export { plan } from './plan';
export { idempotencyKey } from './idempotency';
export * from './types';

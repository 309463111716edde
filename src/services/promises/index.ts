/** Promises to pay: record, list, settle, and the kept rate. */
export { createPromise, type CreatePromiseInput, type PromiseRow } from './create';
export {
  enqueuePromiseEvaluation,
  evaluatePromises,
  firmsWithActivePromises,
  PROMISES_EVALUATE_JOB,
  type EvaluationSummary,
} from './evaluate';
export {
  customersWithOpenInvoices,
  getPromise,
  keptRatesByCustomer,
  listPromises,
  promisableInvoices,
  promiseKeptRate,
  recentPromises,
  PROMISE_STATUSES,
  type KeptRate,
  type OpenInvoice,
  type PromiseView,
} from './queries';

/**
 * The variables an e-mail template may use, as `{{name}}`. Every value is HTML-escaped when it is
 * filled in; the block variables are HTML fragments built by code from escaped parts.
 */
export const TEMPLATE_VARIABLES = {
  contactName: 'the billing contact’s name, or "there"',
  customerName: 'the customer’s name',
  firmName: 'the firm’s name',
  invoiceSummary: '"invoice #1001", "invoices #1001 and #1002" or "3 invoices"',
  invoiceCount: 'number of invoices in the message',
  invoiceTable: 'table of the invoices: number, due date, days overdue, balance, total',
  totalDue: 'total balance with its currency, e.g. "USD 1,234.50"',
  dueDate: 'earliest due date among the invoices',
  daysOverdue: 'days the oldest invoice is overdue (0 when not yet due)',
  daysOverdueText: '"1 day" or "12 days"',
  payByDate: 'date by which the firm asks for payment (final notices)',
  portalUrl: 'signed link to the customer portal',
  unsubscribeUrl: 'one-click unsubscribe link',
  paymentInstructions: 'the firm’s payment instructions, with a heading (empty when none)',
  signature: 'the firm’s signature',
  contactLine: '"Questions? Reply to this e-mail or write to …"',
  nextSteps: 'what happens next, as the firm configured it (empty when none)',
  promiseDate: 'the date the customer promised to pay',
  promisedAmount: 'the amount promised',
} as const;

export type TemplateVariable = keyof typeof TEMPLATE_VARIABLES;

export const KNOWN_VARIABLES: ReadonlySet<string> = new Set(Object.keys(TEMPLATE_VARIABLES));

/** Variables whose value is an HTML fragment (built from escaped parts), not plain text. */
export const BLOCK_VARIABLES: ReadonlySet<string> = new Set([
  'invoiceTable',
  'paymentInstructions',
  'signature',
  'contactLine',
  'nextSteps',
]);

/** `{{ name }}` — one-word names only. */
export const VARIABLE_TOKEN = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

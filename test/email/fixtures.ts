import type { EmailData } from '../../src/email';

export function emailData(over: Partial<EmailData> = {}): EmailData {
  return {
    firm: {
      name: 'Northwind Consulting',
      branding: {
        color: '#0b5fff',
        replyTo: 'ar@northwind.test',
        paymentInstructions: 'ACH to Northwind Consulting LLC\nRouting 021000021, account 123456789',
        signature: 'Maria Alvarez\nAccounts receivable, Northwind Consulting',
      },
    },
    contact: { name: 'Dana Lee' },
    customer: { name: 'Globex Corp' },
    invoices: [
      { number: '1001', dueDate: '2026-06-01', balance: '1200.5', currency: 'USD' },
      { number: '1002', dueDate: '2026-06-05', balance: '34000', currency: 'USD' },
    ],
    asOf: '2026-06-15',
    portalUrl: 'https://app.duely.test/p/tok123?i=1&j=2',
    unsubscribeUrl: 'https://app.duely.test/u/unsub456',
    ...over,
  };
}

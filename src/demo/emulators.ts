import { startQuickBooksEmulator, type QuickBooksEmulator } from '../../connectors/quickbooks/emulator';
import { startXeroEmulator, type XeroEmulator } from '../../connectors/xero/emulator';
import type { Config } from '../config/env';
import { startStripeEmulator, type StripeEmulator } from './stripeEmulator';

/** Demo credentials: they only open the emulators on this machine's loopback. */
const DEMO = {
  quickbooks: {
    clientId: 'demo-quickbooks-client',
    clientSecret: 'demo-quickbooks-secret',
    verifier: 'demo-quickbooks-verifier',
  },
  xero: {
    clientId: 'demo-xero-client',
    clientSecret: 'demo-xero-secret',
    webhookKey: 'demo-xero-webhook-key',
  },
};

export interface DemoEmulators {
  quickbooks: QuickBooksEmulator;
  xero: XeroEmulator;
  /** Only when no real Stripe key is set: the portal's "Pay online" then works on this machine. */
  stripe: StripeEmulator | null;
  close(): Promise<void>;
}

/**
 * Demo mode: start the QuickBooks and Xero emulators on loopback with deterministic companies
 * (aged invoices in every bucket, part payments, credit notes, a few malformed records) and
 * point the configuration at them, as if the firm had real credentials.
 */
export async function startDemoEmulators(
  config: Config,
  asOf: string,
): Promise<{ config: Config; emulators: DemoEmulators }> {
  const quickbooks = await startQuickBooksEmulator({
    company: { seed: 20261123, customers: 120, invoices: 700, asOf, malformed: 2 },
    clientId: DEMO.quickbooks.clientId,
    clientSecret: DEMO.quickbooks.clientSecret,
    webhookVerifierToken: DEMO.quickbooks.verifier,
    enforceLimits: true,
  });
  const xero = await startXeroEmulator({
    company: { seed: 20261124, customers: 60, invoices: 300, asOf, currency: 'USD' },
    clientId: DEMO.xero.clientId,
    clientSecret: DEMO.xero.clientSecret,
    webhookKey: DEMO.xero.webhookKey,
    enforceLimits: true,
  });
  const stripe = config.STRIPE_SECRET_KEY
    ? null
    : await startStripeEmulator({ webhookUrl: `${config.BASE_URL}/webhooks/stripe` });
  return {
    config: {
      ...config,
      ...(stripe
        ? {
            STRIPE_SECRET_KEY: stripe.secretKey,
            STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
            STRIPE_BASE_URL: stripe.url,
            stripeConfigured: true,
          }
        : {}),
      QUICKBOOKS_CLIENT_ID: DEMO.quickbooks.clientId,
      QUICKBOOKS_CLIENT_SECRET: DEMO.quickbooks.clientSecret,
      QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN: DEMO.quickbooks.verifier,
      QUICKBOOKS_BASE_URL: quickbooks.url,
      XERO_CLIENT_ID: DEMO.xero.clientId,
      XERO_CLIENT_SECRET: DEMO.xero.clientSecret,
      XERO_WEBHOOK_KEY: DEMO.xero.webhookKey,
      XERO_BASE_URL: xero.url,
      quickbooksConfigured: true,
      xeroConfigured: true,
    },
    emulators: {
      quickbooks,
      xero,
      stripe,
      async close() {
        await Promise.all([quickbooks.close(), xero.close(), stripe?.close()]);
      },
    },
  };
}
